"""Keyword builders for staff grants over HTTP: grantAccess, revokeGrant, what a user holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.billing_calls import call
from tests.builders import graphql, token
from tests.sandbox_driver import SandboxDriver

GRANT_FIELDS = "id plan until reason grantedBy revokedAt revokedBy revokeReason"
RESULT = f"__typename ... on AccessGrant {{ {GRANT_FIELDS} }} ... on Failure {{ code message }}"
GRANT = (
    "mutation($u: ID!, $plan: String!, $until: DateTime!, $reason: String!) {"
    f" grantAccess(userId: $u, plan: $plan, until: $until, reason: $reason) {{ {RESULT} }} }}"
)
REVOKE = f'mutation($id: ID!) {{ revokeGrant(id: $id, reason: "ended early") {{ {RESULT} }} }}'
HOLDS = """{ entitlements { plan { code } reason accessUntil
  features { feature allowed } limits { feature limit } } }"""
CHANGES = """query($u: ID!) { accessChanges(userId: $u) {
  subscriptionId grantId actor before after reason source } }"""


async def clock_now(sandbox: SandboxDriver) -> datetime:
    return datetime.fromtimestamp(await sandbox.now(), UTC)


async def grant_access(
    client: httpx.AsyncClient,
    *,
    user_id: str,
    until: datetime,
    plan: str = "pro",
    reason: str = "conference speaker",
    admin: str = "admin-1",
) -> dict[str, Any]:
    data = await call(
        client,
        GRANT,
        user=admin,
        roles=["admin"],
        u=user_id,
        plan=plan,
        until=until.isoformat(),
        reason=reason,
    )
    result: dict[str, Any] = data["grantAccess"]
    return result


async def revoke_grant(
    client: httpx.AsyncClient, grant_id: str, *, admin: str = "admin-1"
) -> dict[str, Any]:
    result: dict[str, Any] = (await call(client, REVOKE, user=admin, roles=["admin"], id=grant_id))[
        "revokeGrant"
    ]
    return result


async def holds(client: httpx.AsyncClient, *, user: str = "user-1") -> dict[str, Any]:
    """What `entitlements` says of the user: plan, reason, until, features and limits."""
    found: dict[str, Any] = (await call(client, HOLDS, user=user))["entitlements"]
    return {
        "plan": found["plan"]["code"],
        "reason": found["reason"],
        "until": found["accessUntil"],
        "features": {f["feature"]: f["allowed"] for f in found["features"]},
        "limits": {x["feature"]: x["limit"] for x in found["limits"]},
    }


async def as_staff(
    client: httpx.AsyncClient, query: str, *, role: str, **variables: Any
) -> dict[str, Any]:
    """The whole response body, errors included, of a call by a staff member with `role`."""
    bearer = token(sub=f"{role}-1", email=f"{role}-1@example.com", roles=[role])
    response = await graphql(client, query, variables=variables, bearer=bearer)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def days_after(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)
