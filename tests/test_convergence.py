"""Races and redeliveries converge on one subscription, one payment, one grant."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.documents import AccessChange, Payment, Subscription, UpgradeClaim, User, WebhookEvent
from tests.billing_calls import (
    CANCEL,
    SUBSCRIPTION,
    call,
    confirm,
    payments_of,
    plan_of,
    refund,
    start_upgrade,
)
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
    # given a paid checkout whose webhooks arrive before the confirm, or are held until after it
    checkout = await start_upgrade(client)
    await sandbox.hold()
    handler = await sandbox.pay(checkout["subscriptionId"])
    if webhooks_first:
        await sandbox.release()

    # when the browser confirms, and any held webhooks then arrive
    await confirm(client, handler)
    released = await sandbox.release()

    # then the webhooks came on the chosen side of the confirm: one payment, one grant, Pro
    assert (released == []) is webhooks_first
    assert await Payment.count() == 1
    grants = await AccessChange.find(AccessChange.before == None).to_list()  # noqa: E711
    assert len(grants) == 1
    assert await plan_of(client) == "pro"


async def final_state(
    client: httpx.AsyncClient, sandbox: SandboxDriver, **knobs: Any
) -> tuple[Any, ...]:
    """Pay, renew once, fail the next renewal, cancel at period end: with the given delivery."""
    await sandbox.knobs(**knobs)
    checkout = await start_upgrade(client)
    await sandbox.pay(checkout["subscriptionId"])  # no confirm: webhooks alone
    await sandbox.drain()
    await sandbox.advance_past_next_charge(checkout["subscriptionId"])
    await sandbox.next_charge(checkout["subscriptionId"], fail="insufficient_fund", count=4)
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


# What the webhooks build; users and their Razorpay customers stay (the notes name the user).
WEBHOOK_BUILT = (
    "webhook_events",
    "payments",
    "refunds",
    "subscriptions",
    "subscription_observations",
    "access_changes",
    "upgrade_claims",
)


async def refund_and_cancel_journey(client: httpx.AsyncClient, sandbox: SandboxDriver) -> None:
    """Pay (webhooks alone), renew once, refund part of the first payment, cancel now."""
    subscription_id = (await start_upgrade(client))["subscriptionId"]
    await sandbox.pay(subscription_id)
    await sandbox.drain()
    await sandbox.advance_past_next_charge(subscription_id)
    first_payment = (await payments_of(client))[-1]["id"]
    await refund(client, id=first_payment, amount=2500)
    await call(client, CANCEL, end=False)
    await sandbox.drain()


async def seen_by_the_user(client: httpx.AsyncClient) -> tuple[Any, ...]:
    subscription = (await call(client, SUBSCRIPTION))["subscription"]
    payments = [
        (p["id"], p["amount"]["amount"], p["status"], p["refunded"]["amount"], p["subscriptionId"])
        for p in await payments_of(client)
    ]
    return (subscription["status"], subscription["accessUntil"], payments, await plan_of(client))


async def redeliver(client: httpx.AsyncClient, delivery: dict[str, Any]) -> httpx.Response:
    """Post a sandbox delivery again, byte for byte, as Razorpay's retry would."""
    return await client.post(
        "/webhooks/razorpay",
        content=delivery["body"].encode(),
        headers={
            "X-Razorpay-Signature": delivery["signature"],
            "X-Razorpay-Event-Id": delivery["event_id"],
        },
    )


async def test_every_webhook_twice_and_newest_first_gives_the_same_final_state(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Any
) -> None:
    # given a journey with a renewal, a partial refund and a cancellation, as it happened
    earlier = {d["seq"] for d in await sandbox.deliveries()}
    await refund_and_cancel_journey(client, sandbox)
    as_it_happened = await seen_by_the_user(client)
    events = [d for d in await sandbox.deliveries() if d["seq"] not in earlier]
    assert {"subscription.charged", "refund.processed", "subscription.cancelled"} <= {
        d["event"] for d in events
    }

    # when all the webhooks built is forgotten, and every event arrives again, newest first, twice
    for collection in WEBHOOK_BUILT:
        await services.database[collection].delete_many({})
    answers = [await redeliver(client, d) for _ in range(2) for d in reversed(events)]

    # then each was accepted, and the user sees exactly what they saw before
    assert {a.status_code for a in answers} == {200}
    assert await seen_by_the_user(client) == as_it_happened
    assert as_it_happened[0] == "CANCELLED" and as_it_happened[3] == "free"
    assert [p[2:4] for p in as_it_happened[2]] == [("captured", 0), ("partially_refunded", 2500)]
    assert await WebhookEvent.find(WebhookEvent.status == "failed").count() == 0
