from __future__ import annotations

from pathlib import Path

from api.graphql.schema import build_schema

COMMITTED = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_the_committed_schema_matches_the_code() -> None:
    printed = str(build_schema()) + "\n"

    assert COMMITTED.read_text() == printed, "schema.graphql is stale: run `make schema`"
