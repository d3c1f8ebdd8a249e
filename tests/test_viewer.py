from __future__ import annotations

import asyncio
import time
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


def forged(bearer: str) -> str:
    """The same header and claims under another signature."""
    header, claims, signature = bearer.split(".")
    return f"{header}.{claims}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


@pytest.mark.parametrize(
    ("bearer", "reason"),
    [
        (token(expires_in=timedelta(seconds=-30)), "token_expired"),
        (token(secret="not-the-service-secret-0123456789abcdef"), "token_signature"),
        (token(omit=("exp",)), "token_claims"),
        (token(omit=("sub",)), "token_claims"),
        (unsigned_token(), "token_signature"),
        (token(algorithm="HS512"), "token_signature"),
        (forged(token()), "token_signature"),
        (token() + "tampered", "token_malformed"),
        ("not-a-jwt", "token_malformed"),
        ("tw.e30.c2ln", "token_malformed"),  # a header that is not UTF-8
    ],
    ids=[
        "expired",
        "wrong-secret",
        "no-exp",
        "no-sub",
        "alg-none",
        "hs512",
        "forged-signature",
        "bad-signature-encoding",
        "garbage",
        "header-not-utf8",
    ],
)
async def test_a_bad_token_is_refused_in_our_words_and_creates_nothing(
    client: httpx.AsyncClient, bearer: str, reason: str
) -> None:
    response = await graphql(client, VIEWER, bearer=bearer)

    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": reason}
    assert_our_words(error["message"])
    assert await User.count() == 0


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": [["admin"]]},
        {"roles": [{"admin": True}]},
        {"roles": {"admin": 1}},
        {"roles": "admin"},
        {"roles": 5},
        {"roles": ["admin", 5]},
        {"email": 5},
        {"email": ["u1@example.com"]},
        {"email": {"address": "u1@example.com"}},
        {"email": "\ud800@example.com"},
        {"email": "x" * 321},
        {"sub": 5},
        {"sub": ["user-1"]},
        {"sub": {"id": "user-1"}},
        {"sub": "\ud800"},
        {"exp": "9999999999"},
        {"exp": True},
        {"exp": float("inf")},
        {"iat": "yesterday"},
        {"nbf": [1]},
        {"iat": 10**10},  # in 2286: not valid yet
        {"nbf": 10**10},
    ],
    ids=lambda claims: repr(claims)[:40],
)
async def test_a_signed_token_with_claims_of_the_wrong_type_is_refused(
    client: httpx.AsyncClient, claims: dict[str, object]
) -> None:
    # given a validly signed token whose claim is of a type nothing downstream expects
    bearer = token(extra=claims)

    # when it is used, then it is a 401 naming the claims, and nobody was created
    response = await graphql(client, VIEWER, bearer=bearer)

    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "token_claims"}
    assert_our_words(error["message"])
    assert await User.count() == 0


def lifetime_token(*, exp_in_hours: float, iat_hours_ago: float | None) -> str:
    now = time.time()
    claims = {"exp": int(now + exp_in_hours * 3600)}
    if iat_hours_ago is None:
        return token(extra=claims, omit=("iat",))
    return token(extra={**claims, "iat": int(now - iat_hours_ago * 3600)})


@pytest.mark.parametrize(
    ("exp_in_hours", "iat_hours_ago"),
    [(10**30 / 3600, 0), (25, 0), (24, 1), (25, None)],
    ids=["exp-10^30", "25h-from-iat", "25h-from-an-earlier-iat", "25h-from-now-without-iat"],
)
async def test_a_token_living_longer_than_the_longest_lifetime_is_refused(
    client: httpx.AsyncClient, exp_in_hours: float, iat_hours_ago: float | None
) -> None:
    bearer = lifetime_token(exp_in_hours=exp_in_hours, iat_hours_ago=iat_hours_ago)

    response = await graphql(client, VIEWER, bearer=bearer)

    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "token_lifetime"}
    assert "24 hours" in error["message"]
    assert await User.count() == 0


@pytest.mark.parametrize(
    ("exp_in_hours", "iat_hours_ago"),
    [(23.9, 0), (23, 1), (23.9, None)],
    ids=["just-under-24h", "24h-from-an-earlier-iat", "just-under-24h-without-iat"],
)
async def test_a_token_within_the_longest_lifetime_is_served(
    client: httpx.AsyncClient, exp_in_hours: float, iat_hours_ago: float | None
) -> None:
    bearer = lifetime_token(exp_in_hours=exp_in_hours, iat_hours_ago=iat_hours_ago)

    response = await graphql(client, VIEWER, bearer=bearer)

    assert response.status_code == 200
    assert response.json()["data"]["viewer"] is not None


@pytest.mark.parametrize("claims", [{"roles": None, "email": None}, {"roles": []}])
async def test_null_or_empty_optional_claims_are_absent_ones(
    client: httpx.AsyncClient, claims: dict[str, object]
) -> None:
    response = await graphql(client, VIEWER, bearer=token(extra=claims))

    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["staffRoles"] == []


def assert_our_words(message: str) -> None:
    """A refusal message of ours: none of PyJWT's texts, which name its internals."""
    assert message.startswith(("The token", "Send the token"))
    for internal in ("codec", "utf-8", "padding", "Signature verification", "segments"):
        assert internal not in message


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
async def test_a_malformed_authorization_header_is_refused(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": header}
    )

    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["reason"] == "token_malformed"
    assert_our_words(error["message"])
