"""Races and redeliveries converge on one subscription, one payment, one grant."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.documents import AccessChange, Payment, Subscription, UpgradeClaim, User, WebhookEvent
from tests.billing_calls import SUBSCRIPTION, call, confirm, payments_of, plan_of, start_upgrade
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_two_concurrent_upgrades_create_one_razorpay_subscription(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # when two tabs (and a retry) upgrade at once
    results = await asyncio.gather(
        *(start_upgrade(client, key=f"tab-key-000{i}") for i in range(3))
    )

    # then they all get the same checkout, backed by one subscription here and at Razorpay
    assert {r["subscriptionId"] for r in results} == {results[0]["subscriptionId"]}
    assert await Subscription.count() == 1
    assert await UpgradeClaim.count() == 1
    user = await User.find_one(User.subject == "user-1")
    assert user is not None
    at_razorpay = await sandbox.subscriptions(notes_user_id=str(user.id))
    assert [s["id"] for s in at_razorpay] == [results[0]["subscriptionId"]]


async def test_a_second_upgrade_while_unpaid_returns_the_same_checkout(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    first = await start_upgrade(client)
    second = await start_upgrade(client)

    assert first["subscriptionId"] == second["subscriptionId"]


async def test_a_pro_user_cannot_upgrade_again(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    checkout = await start_upgrade(client)
    await confirm(client, await sandbox.pay(checkout["subscriptionId"]))

    again = await start_upgrade(client)

    assert (again["__typename"], again["code"]) == ("Failure", "ALREADY_SUBSCRIBED")


@pytest.mark.parametrize("webhooks_first", [True, False], ids=["webhook-first", "confirm-first"])
async def test_confirm_and_webhook_in_either_order_record_one_payment_and_one_grant(
    client: httpx.AsyncClient, sandbox: SandboxDriver, webhooks_first: bool
) -> None:
    checkout = await start_upgrade(client)
    if not webhooks_first:
        await sandbox.knobs(delay=0.5)
    handler = await sandbox.pay(checkout["subscriptionId"])
    if webhooks_first:
        await sandbox.drain()

    await confirm(client, handler)
    await sandbox.drain()

    assert await Payment.count() == 1
    grants = await AccessChange.find(AccessChange.before == None).to_list()  # noqa: E711
    assert len(grants) == 1
    assert await plan_of(client) == "PRO"


async def final_state(
    client: httpx.AsyncClient, sandbox: SandboxDriver, **knobs: Any
) -> tuple[Any, ...]:
    """Pay, renew once, fail the next renewal, cancel at period end: with the given delivery."""
    await sandbox.knobs(**knobs)
    checkout = await start_upgrade(client)
    await sandbox.pay(checkout["subscriptionId"])  # no confirm: webhooks alone
    await sandbox.drain()
    await sandbox.advance_past_next_charge(checkout["subscriptionId"])
    await sandbox.next_charge(checkout["subscriptionId"], fail="insufficient_funds", count=4)
    await sandbox.advance_past_next_charge(checkout["subscriptionId"])
    subscription = (await call(client, SUBSCRIPTION))["subscription"]
    payments = [(p["amount"]["amount"], p["status"]) for p in await payments_of(client)]
    return (
        subscription["status"],
        subscription["accessUntil"] is not None,
        payments,
        await plan_of(client),
    )


async def test_duplicated_and_reordered_webhooks_give_the_same_final_state(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Any
) -> None:
    plain = await final_state(client, sandbox)
    for knobs in ({"duplicate": True}, {"reorder": True}, {"duplicate": True, "reorder": True}):
        for collection in (
            "subscriptions",
            "payments",
            "users",
            "upgrade_claims",
            "subscription_observations",
        ):
            await services.database[collection].delete_many({})
        assert await final_state(client, sandbox, **knobs) == plain, knobs
    assert plain[0] == "PENDING"
    assert await WebhookEvent.find(WebhookEvent.status == "failed").count() == 0
