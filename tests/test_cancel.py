from __future__ import annotations

import httpx
import pytest

from tests.billing_calls import CANCEL, SUBSCRIPTION, become_pro, call, plan_of
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_cancel_at_period_end_keeps_pro_until_the_period_ends(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a Pro user
    subscription_id = await become_pro(client, sandbox)

    # when they cancel at period end
    cancelled = (await call(client, CANCEL, end=True))["cancelSubscription"]
    await sandbox.drain()

    # then they stay Pro, nothing more is due, and Razorpay still shows it active
    assert cancelled["cancelAtPeriodEnd"] is True
    assert cancelled["nextChargeAt"] is None
    assert await plan_of(client) == "pro"
    assert (await sandbox.subscription(subscription_id))["status"] == "active"

    # and when the period ends they are free, with no further payment
    await sandbox.advance(days=32)
    after = (await call(client, SUBSCRIPTION))["subscription"]
    assert after["status"] == "CANCELLED"
    assert await plan_of(client) == "free"


async def test_cancel_now_ends_pro_at_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    subscription_id = await become_pro(client, sandbox)

    cancelled = (await call(client, CANCEL, end=False))["cancelSubscription"]

    assert cancelled["status"] == "CANCELLED"
    assert await plan_of(client) == "free"
    assert (await sandbox.subscription(subscription_id))["status"] == "cancelled"


async def test_cancelling_without_a_subscription_is_a_typed_failure(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    result = (await call(client, CANCEL, end=True))["cancelSubscription"]

    assert result == {
        "__typename": "Failure",
        "code": "NO_ACTIVE_SUBSCRIPTION",
        "message": result["message"],
    }
