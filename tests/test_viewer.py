from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from api.documents import User
from api.services import Services
from tests.builders import graphql, token, unsigned_token

pytestmark = pytest.mark.asyncio(loop_scope="session")

VIEWER = "{ viewer { id email staffRoles } }"


async def test_an_anonymous_caller_has_no_viewer(client: httpx.AsyncClient) -> None:
    response = await graphql(client, VIEWER)

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": None}}


async def test_a_signed_in_caller_sees_themselves(client: httpx.AsyncClient) -> None:
    response = await graphql(client, VIEWER, bearer=token(sub="user-1", email="u1@example.com"))

    viewer = response.json()["data"]["viewer"]
    stored = await User.find_one(User.subject == "user-1")
    assert stored is not None
    assert viewer == {"id": str(stored.id), "email": "u1@example.com", "staffRoles": []}


async def test_the_same_subject_is_the_same_user_on_every_request(
    client: httpx.AsyncClient,
) -> None:
    first = await graphql(client, VIEWER, bearer=token(sub="user-1"))
    second = await graphql(client, VIEWER, bearer=token(sub="user-1"))

    assert first.json()["data"]["viewer"]["id"] == second.json()["data"]["viewer"]["id"]
    assert await User.count() == 1


async def test_staff_roles_come_from_the_token_and_unknown_ones_are_dropped(
    client: httpx.AsyncClient,
) -> None:
    bearer = token(sub="staff-1", roles=["admin", "support", "superuser"])

    response = await graphql(client, VIEWER, bearer=bearer)

    assert response.json()["data"]["viewer"]["staffRoles"] == ["admin", "support"]


async def test_concurrent_first_requests_create_exactly_one_user(
    client: httpx.AsyncClient, services: Services
) -> None:
    # given a subject never seen before, when twenty of its requests arrive at once
    bearer = token(sub="newcomer")
    responses = await asyncio.gather(*(graphql(client, VIEWER, bearer=bearer) for _ in range(20)))

    # then they all name one user, stored once
    ids = {r.json()["data"]["viewer"]["id"] for r in responses}
    assert len(ids) == 1
    assert await services.database["users"].count_documents({"subject": "newcomer"}) == 1


@pytest.mark.parametrize(
    ("bearer", "reason"),
    [
        (token(expires_in=timedelta(seconds=-30)), "token_expired"),
        (token(secret="not-the-service-secret-0123456789abcdef"), "token_invalid"),
        (token(omit=("exp",)), "token_invalid"),
        (unsigned_token(), "token_invalid"),
        (token() + "tampered", "token_invalid"),
        ("not-a-jwt", "token_invalid"),
    ],
    ids=["expired", "wrong-secret", "no-exp", "alg-none", "forged-signature", "garbage"],
)
async def test_a_bad_token_is_refused_and_creates_nothing(
    client: httpx.AsyncClient, bearer: str, reason: str
) -> None:
    response = await graphql(client, VIEWER, bearer=bearer)

    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": reason}
    assert error["message"]
    assert await User.count() == 0


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
async def test_a_malformed_authorization_header_is_refused(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": header}
    )

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["reason"] == "token_malformed"
