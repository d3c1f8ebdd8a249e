"""Depth and expanded-size limits: a document that would stall the service is refused in time
linear in its text, before anything runs, and every legitimate document still passes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from graphql import get_introspection_query, parse, specified_rules, validate

from api.app import create_app
from api.graphql.limits import DEFAULT_LIMITS, limits_rule
from api.graphql.schema import build_schema
from bench.guards import QUERY as EVERY_GUARDED_FIELD
from bench.validation import fragment_bomb
from tests.billing_calls import user_id
from tests.builders import graphql, token
from tests.conftest import loopback_listener, make_settings
from tests.serving import in_process

LIVENESS_SECONDS = 5.0  # generous: the limit is about never stalling, not about speed
NO_RAZORPAY = {
    "razorpay_key_id": "rzp_test_limits",
    "razorpay_key_secret": "secret",
    "razorpay_webhook_secret": "whsecret",
}


def nested(levels: int) -> str:
    return "{ " + "subscription { " * levels + "id" + " }" * (levels + 1)


@pytest_asyncio.fixture
async def own_loop_app(
    mongodb_uri: str, database_name: str, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The app served by uvicorn on a thread and event loop of its own, as a process serves it.
    A request that blocked that loop would stall its /healthz, while this test's loop goes on,
    times the answers out and fails, rather than hanging with the server."""
    settings = make_settings(
        mongodb_uri=mongodb_uri, mongodb_db=database_name, data_dir=tmp_path, **NO_RAZORPAY
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    sock = loopback_listener()
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    await asyncio.to_thread(_wait_until_serving, server, thread)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with httpx.AsyncClient(base_url=base, timeout=LIVENESS_SECONDS) as http:
        yield http
    server.should_exit = True
    await asyncio.to_thread(thread.join, LIVENESS_SECONDS)
    sock.close()


def _wait_until_serving(server: uvicorn.Server, thread: threading.Thread) -> None:
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        time.sleep(0.01)


async def timed(request: Awaitable[httpx.Response]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await request
    return time.perf_counter() - started, response


async def refused_beside_healthz(
    http: httpx.AsyncClient, document: str
) -> tuple[float, dict[str, Any], float, httpx.Response]:
    (query_seconds, answer), (health_seconds, health) = await asyncio.gather(
        timed(graphql(http, document)), timed(http.get("/healthz"))
    )
    return query_seconds, answer.json(), health_seconds, health


@pytest.mark.asyncio(loop_scope="session")
async def test_a_fragment_bomb_is_refused_while_the_service_keeps_answering(
    own_loop_app: httpx.AsyncClient,
) -> None:
    # given 40 levels of doubling fragments (1.6 KB, 2^40 fields once expanded)
    document = fragment_bomb(40)

    # when it is posted anonymously, and /healthz is asked at the same time
    seconds, body, health_seconds, health = await refused_beside_healthz(own_loop_app, document)

    # then it is refused as too complex, nothing ran, and both answered promptly
    assert body["data"] is None
    assert [e["extensions"] for e in body["errors"]] == [
        {"code": "QUERY_TOO_COMPLEX", "maxCost": DEFAULT_LIMITS.max_cost}
    ]
    assert seconds < LIVENESS_SECONDS
    assert health.status_code == 200 and health_seconds < LIVENESS_SECONDS


@pytest.mark.asyncio(loop_scope="session")
async def test_a_fragment_bomb_of_200_levels_is_refused_while_the_service_keeps_answering(
    own_loop_app: httpx.AsyncClient,
) -> None:
    # given 200 levels: more tokens than a document may hold
    document = fragment_bomb(200)

    # when it is posted, and /healthz is asked at the same time
    seconds, body, health_seconds, health = await refused_beside_healthz(own_loop_app, document)

    # then the parser stops at the token limit, says so with a code, and both answered promptly
    assert body["data"] is None
    assert [e["extensions"] for e in body["errors"]] == [
        {"code": "QUERY_TOO_LONG", "maxTokens": 2000}
    ]
    assert "more than 2000 tokens" in body["errors"][0]["message"]
    assert seconds < LIVENESS_SECONDS
    assert health.status_code == 200 and health_seconds < LIVENESS_SECONDS


def test_the_limits_refuse_200_levels_of_fragments_whatever_the_token_budget() -> None:
    # given the schema's validation rules, with no token limit in front of them
    schema = build_schema()._schema
    rules = (*specified_rules, limits_rule(DEFAULT_LIMITS))

    # when 2^200 expanded fields are validated
    started = time.perf_counter()
    errors = validate(schema, parse(fragment_bomb(200)), rules)
    seconds = time.perf_counter() - started

    # then they are refused as too complex, promptly
    assert [e.extensions for e in errors] == [
        {"code": "QUERY_TOO_COMPLEX", "maxCost": DEFAULT_LIMITS.max_cost}
    ]
    assert seconds < LIVENESS_SECONDS


def test_a_fragment_cycle_is_reported_and_does_not_break_the_limits() -> None:
    schema = build_schema()._schema
    document = parse(
        "{ ...A } fragment A on Query { ...B plans { id } } fragment B on Query { ...A }"
    )

    errors = validate(schema, document, (*specified_rules, limits_rule(DEFAULT_LIMITS)))

    assert [e.message for e in errors] == ["Cannot spread fragment 'A' within itself via 'B'."]


@pytest.mark.asyncio(loop_scope="session")
async def test_a_deep_query_is_refused_with_its_depth(client: httpx.AsyncClient) -> None:
    response = await graphql(client, nested(12))

    body = response.json()
    assert body["data"] is None
    assert [e["extensions"] for e in body["errors"]] == [
        {"code": "QUERY_TOO_DEEP", "depth": 12, "maxDepth": DEFAULT_LIMITS.max_depth}
    ]


@pytest.mark.asyncio(loop_scope="session")
async def test_depth_counts_what_fragments_add(client: httpx.AsyncClient) -> None:
    # given a query 2 deep in its own text, whose fragment adds 9 more levels
    document = "{ subscription { plan { ...Deep } } } fragment Deep on Plan " + nested(9)

    response = await graphql(client, document)

    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


@pytest.mark.asyncio(loop_scope="session")
async def test_the_largest_legitimate_query_passes(client: httpx.AsyncClient) -> None:
    # given the query that touches every guarded field of the schema, asked by an admin
    someone = await user_id(client)
    admin = token(sub="admin-1", email="admin-1@example.com", roles=["admin"])

    response = await graphql(client, EVERY_GUARDED_FIELD, variables={"u": someone}, bearer=admin)

    # then it runs: the one error is a field an admin without Pro may not use, met while executing
    errors = response.json()["errors"]
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [
        (["githubImports"], "UPGRADE_REQUIRED")
    ]


@pytest.mark.asyncio(loop_scope="session")
async def test_graphiql_introspection_passes_in_dev(client: httpx.AsyncClient) -> None:
    # given the introspection query GraphiQL sends, with every option it may turn on
    document = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
        one_of=True,
    )

    response = await graphql(client, document)

    body = response.json()
    assert "errors" not in body, body["errors"]
    assert any(t["name"] == "Query" for t in body["data"]["__schema"]["types"])


@pytest.mark.asyncio(loop_scope="session")
async def test_the_limits_come_from_the_settings(
    mongodb_uri: str, database_name: str, tmp_path: Path
) -> None:
    # given an app whose settings allow 3 fields and 1 level
    settings = make_settings(
        mongodb_uri=mongodb_uri,
        mongodb_db=database_name,
        data_dir=tmp_path,
        graphql_max_cost=3,
        graphql_max_depth=1,
        **NO_RAZORPAY,
    )
    app = create_app(settings)
    async with in_process(app) as http:
        # when queries at and just past each limit are asked
        within = await graphql(http, "{ plans { id name } }")
        too_big = await graphql(http, "{ plans { id name rank } }")
        too_deep = await graphql(http, "{ plans { prices { period } } }")

    # then only the ones within both pass
    assert "errors" not in within.json()
    assert too_big.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert too_deep.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_the_schema_defaults_are_the_settings_defaults() -> None:
    settings = make_settings()

    assert (settings.graphql_max_depth, settings.graphql_max_cost) == (
        DEFAULT_LIMITS.max_depth,
        DEFAULT_LIMITS.max_cost,
    )
