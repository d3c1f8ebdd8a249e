"""`viewer.permissions`: what the SPA may show, derived from the same roles the guards use."""

from __future__ import annotations

import httpx
import pytest

from tests.billing_calls import become_pro, call
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

PERMISSIONS = "{ viewer { permissions } }"
EVERY_USER = [
    "credit_pack:read",
    "credits:buy",
    "credits:read",
    "credits:spend",
    "entitlement:read",
    "funnel:record",
    "payment:read",
    "plan:read",
    "refund_request:create",
    "subscription:cancel",
    "subscription:read",
    "subscription:upgrade",
    "usage:record",
    "usage:release",
    "viewer:read",
]

REQUESTS = ["refund_request:decide", "refund_request:read_any"]
STAFF_CREDITS = ["credits:adjust", "credits:read_any"]


async def permissions_of(
    client: httpx.AsyncClient, *, user: str = "user-1", roles: list[str] | None = None
) -> list[str]:
    found: list[str] = (await call(client, PERMISSIONS, user=user, roles=roles))["viewer"][
        "permissions"
    ]
    return found


async def test_a_free_user_sees_what_every_signed_in_user_may_do(
    client: httpx.AsyncClient,
) -> None:
    assert await permissions_of(client) == EVERY_USER


async def test_paying_adds_the_pro_features(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)

    assert await permissions_of(client) == sorted(
        [*EVERY_USER, "feature:github_import", "feature:priority_support"]
    )


@pytest.mark.parametrize(
    ("role", "extra"),
    [
        (
            "support",
            [*STAFF_CREDITS, "payment:audit", "payment:read_any", "payment:refund", *REQUESTS],
        ),
        (
            "admin",
            [
                "access:grant",
                "access:read_any",
                *STAFF_CREDITS,
                "payment:audit",
                "payment:read_any",
                "payment:refund",
                *REQUESTS,
            ],
        ),
    ],
)
async def test_staff_see_their_roles_permissions_too(
    client: httpx.AsyncClient, role: str, extra: list[str]
) -> None:
    found = await permissions_of(client, user="staff-1", roles=[role])

    assert found == sorted([*EVERY_USER, *extra])
