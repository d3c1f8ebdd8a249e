"""Every malformed request to /graphql is a 4xx with a GraphQL-shaped error, never a 500."""

from __future__ import annotations

import json

import httpx
import pytest

from api.documents import User
from tests.builders import token

pytestmark = pytest.mark.asyncio(loop_scope="session")

JSON = {"content-type": "application/json"}
PLANS = "{ plans { id } }"


def nested(depth: int) -> bytes:
    """A request whose variables hold a list nested `depth` levels deep."""
    value = "[" * depth + "]" * depth
    return f'{{"query": "{PLANS}", "variables": {{"v": {value}}}}}'.encode()


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b"5",
        b'"{ plans { id } }"',
        b"true",
        b"[]",
        b'[{"query": "{ plans { id } }"}]',
        b"\xb7\xff{}",
        '{"query": "{ plans { id } }", "x": "\u00e9"}'.encode("latin-1"),
        b'{"query": ',
        b"",
        b'{"query": "{ plans { id } }", "variables": {"v": "\\ud800"}}',
        b'{"query": "{ plans { id } }", "variables": {"v": 1' + b"0" * 5000 + b"}}",
        nested(100_000),
        nested(63),
    ],
    ids=[
        "null",
        "number",
        "string",
        "boolean",
        "empty-array",
        "batch",
        "not-utf8",
        "latin-1",
        "truncated",
        "empty",
        "lone-surrogate",
        "huge-integer",
        "nested-100k",
        "nested-65-levels",
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_a_400(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post("/graphql", content=body, headers=JSON)

    assert response.status_code == 400
    assert_refused(response, "BAD_REQUEST")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("query", 5),
        ("query", ["{ plans { id } }"]),
        ("variables", [1]),
        ("variables", "{}"),
        ("operationName", 5),
        ("operationName", ["A"]),
        ("extensions", "x"),
        ("extensions", [1]),
    ],
)
async def test_a_field_of_the_wrong_type_is_a_400_that_names_it(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    body = {"query": "query A { plans { id } }", field: value}

    response = await client.post("/graphql", json=body)

    assert response.status_code == 400
    assert f"`{field}`" in assert_refused(response, "BAD_REQUEST")


async def test_nesting_up_to_the_bound_is_served(client: httpx.AsyncClient) -> None:
    # the body is level 1 and `variables` level 2, so this list reaches level 64
    within = nested(62)

    response = await client.post("/graphql", content=within, headers=JSON)

    assert response.status_code == 200
    assert response.json()["data"] == {"plans": [{"id": "free"}, {"id": "pro"}]}


async def test_a_missing_query_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"variables": {}})

    assert response.status_code == 400
    assert_refused(response, "BAD_REQUEST")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        None,
    ],
)
async def test_only_json_bodies_are_read(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    body = json.dumps({"query": PLANS}).encode()

    response = await client.post("/graphql", content=body, headers=headers)

    assert response.status_code == 415
    assert_refused(response, "UNSUPPORTED_MEDIA_TYPE")


async def test_json_with_a_charset_is_read(client: httpx.AsyncClient) -> None:
    body = json.dumps({"query": PLANS}).encode()

    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json; charset=utf-8"}
    )

    assert response.json() == {"data": {"plans": [{"id": "free"}, {"id": "pro"}]}}


@pytest.mark.parametrize(
    "query", [PLANS, 'mutation { upgrade(idempotencyKey: "click-0000000001") { __typename } }']
)
async def test_nothing_runs_over_get(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(
        "/graphql", params={"query": query}, headers={"Authorization": f"Bearer {token()}"}
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert_refused(response, "METHOD_NOT_ALLOWED")
    assert await User.count() == 0


async def test_get_variables_nested_deep_are_not_even_parsed(client: httpx.AsyncClient) -> None:
    deep = "[" * 2_000 + "]" * 2_000  # past the JSON parser's own recursion limit

    response = await client.get("/graphql", params={"query": PLANS, "variables": deep})

    assert response.status_code == 405


def assert_refused(response: httpx.Response, code: str) -> str:
    """The GraphQL shape of a refusal; returns its message."""
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": code}
    message: str = error["message"]
    assert message and "Traceback" not in message
    return message
