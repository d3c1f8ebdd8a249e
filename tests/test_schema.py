from __future__ import annotations

from pathlib import Path

from graphql import build_schema as read_sdl

from api.graphql.schema import build_schema
from api.graphql.sdl import printed_schema

COMMITTED = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_the_committed_schema_matches_the_code() -> None:
    printed = printed_schema(build_schema()) + "\n"

    assert COMMITTED.read_text() == printed, "schema.graphql is stale: run `make schema`"


def test_readers_of_the_committed_schema_see_no_subscription_root() -> None:
    # when a client or code generator reads schema.graphql (which has a type named Subscription)
    read = read_sdl(COMMITTED.read_text())

    # then it finds the roots the service has: queries and mutations, no subscriptions
    assert read.query_type is not None and read.query_type.name == "Query"
    assert read.mutation_type is not None and read.mutation_type.name == "Mutation"
    assert read.subscription_type is None
    assert read.get_type("Subscription") is not None
