"""Keyword builders for tests: tokens, GraphQL calls and refund claims."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from strawberry.types.graphql import OperationType

from api.documents import RefundRequest
from api.graphql.execution import OperationRequest
from api.graphql.schema import ALLOWED

TEST_JWT_SECRET = "test-secret-for-the-test-suite-only-" + "0123456789abcdef" * 3


def token(
    *,
    sub: str = "user-1",
    email: str | None = "user-1@example.com",
    roles: list[str] | None = None,
    expires_in: timedelta = timedelta(hours=1),
    secret: str = TEST_JWT_SECRET,
    algorithm: str = "HS256",
    extra: dict[str, Any] | None = None,
    omit: tuple[str, ...] = (),
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": sub, "iat": now, "exp": now + expires_in}
    if email is not None:
        claims["email"] = email
    if roles is not None:
        claims["roles"] = roles
    claims.update(extra or {})
    for name in omit:
        claims.pop(name, None)
    return jwt.encode(claims, secret, algorithm=algorithm)


def unsigned_token(*, sub: str = "user-1") -> str:
    """A token with `alg: none`, as an attacker would forge it."""
    exp = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    return jwt.encode({"sub": sub, "exp": exp}, key=None, algorithm="none")


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    *,
    variables: dict[str, Any] | None = None,
    bearer: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = dict(headers or {})
    if bearer is not None:
        sent["Authorization"] = f"Bearer {bearer}"
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=sent
    )


def staff_refund_claim(*, key: str, payment_id: str, at: datetime, **fields: Any) -> RefundRequest:
    """staff-1's claim to refund ₹100 of `payment_id` and revoke access; `fields` add to it."""
    return RefundRequest(
        id=key,
        payment_id=payment_id,
        amount=10000,
        revoke_access=True,
        requested_by="staff-1",
        created_at=at,
        **fields,
    )


def operation(
    query: str,
    *,
    variables: dict[str, Any] | None = None,
    context: Any = None,
    name: str | None = None,
    allowed: Collection[OperationType] = ALLOWED,
) -> OperationRequest:
    """`query` as a client sends it to `Operations.run` (no extensions)."""
    return OperationRequest(
        query,
        variables=variables,
        context=context,
        root=None,
        operation_name=name,
        allowed=allowed,
        extensions=None,
    )
