"""A free user buys Pro, renews, fails to renew, and loses Pro exactly when they should."""

from __future__ import annotations

import httpx
import pytest

from tests.billing_calls import SUBSCRIPTION, call, confirm, payments_of, plan_of, start_upgrade
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_paying_through_checkout_makes_the_user_pro_at_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a free user
    assert await plan_of(client) == "free"

    # when they upgrade and pay in Checkout
    checkout = await start_upgrade(client)
    handler = await sandbox.pay(checkout["subscriptionId"])
    confirmed = await confirm(client, handler)

    # then they are Pro before any webhook, and the payment shows
    assert checkout["__typename"] == "CheckoutDetails"
    assert confirmed["__typename"] == "Subscription"
    assert confirmed["status"] == "ACTIVE"
    assert await plan_of(client) == "pro"
    payments = await payments_of(client)
    assert [(p["amount"]["amount"], p["status"]) for p in payments] == [(10000, "captured")]


async def test_a_user_with_a_two_letter_email_buys_pro(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a free user jo@example.com, whose local part is shorter than Razorpay's names
    assert await plan_of(client, user="jo") == "free"

    # when they upgrade, pay in Checkout and come back
    checkout = await start_upgrade(client, user="jo")
    assert checkout["__typename"] == "CheckoutDetails", checkout
    confirmed = await confirm(client, await sandbox.pay(checkout["subscriptionId"]), user="jo")

    # then they are Pro, and have paid once
    assert (confirmed["__typename"], confirmed["status"]) == ("Subscription", "ACTIVE")
    assert await plan_of(client, user="jo") == "pro"
    payments = await payments_of(client, user="jo")
    assert [(p["amount"]["amount"], p["status"]) for p in payments] == [(10000, "captured")]


async def test_the_whole_journey_renewal_failure_grace_and_halt(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a Pro user
    checkout = await start_upgrade(client)
    await confirm(client, await sandbox.pay(checkout["subscriptionId"]))
    await sandbox.drain()

    # when a month passes, the renewal is charged
    await sandbox.advance_past_next_charge(checkout["subscriptionId"])
    assert await plan_of(client) == "pro"
    assert len(await payments_of(client)) == 2

    # when the next renewal fails every time
    await sandbox.next_charge(checkout["subscriptionId"], fail="card_declined", count=4)
    await sandbox.advance_past_next_charge(checkout["subscriptionId"])
    subscription = (await call(client, SUBSCRIPTION))["subscription"]
    assert subscription["status"] == "PENDING"
    assert await plan_of(client) == "pro"  # grace

    # then after three daily retries the subscription halts, and Pro ends with the grace period
    for _ in range(3):
        await sandbox.advance_past_next_charge(checkout["subscriptionId"])
    subscription = (await call(client, SUBSCRIPTION))["subscription"]
    assert subscription["status"] == "HALTED"
    assert await plan_of(client) == "free"
