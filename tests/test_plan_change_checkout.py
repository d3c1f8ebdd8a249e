"""changePlan through a new subscription, over HTTP with the sandbox through the real SDK, on
the workspace-tier catalog: where Razorpay cannot update the subscription (UPI, eMandate,
domestic card) the new plan is paid through Checkout, the old subscription ends once it is
paid and the unused time is refunded; a failed payment leaves the old plan as it was."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from api.documents import PlanChange, Subscription
from tests.billing_calls import ENTITLEMENTS, call, confirm
from tests.own_app import OwnApp
from tests.test_plan_change import CHANGE, a_user, stored, subscribed, tiers

__all__ = ["tiers"]

pytestmark = pytest.mark.asyncio(loop_scope="session")

CHANGE_FULL = CHANGE.replace(
    "effectiveAt }", "effectiveAt path refundedPaise checkout { keyId subscriptionId name } }"
)
CANCEL = """mutation { cancelScheduledChange { __typename
  ... on PlanChange { state } ... on Failure { code } } }"""


async def change(app: OwnApp, user: str, plan: str, **extra: Any) -> dict[str, Any]:
    extra.setdefault("key", f"change-{uuid.uuid4().hex}")
    extra.setdefault("period", "MONTHLY")
    data = await call(app.client, CHANGE_FULL, user=user, plan=plan, **extra)
    result: dict[str, Any] = data["changePlan"]
    return result


async def access_until(app: OwnApp, user: str) -> str | None:
    found: str | None = (await call(app.client, ENTITLEMENTS, user=user))["entitlements"][
        "accessUntil"
    ]
    return found


async def test_upi_upgrade_pays_a_new_subscription_and_refunds_the_unused_time(
    tiers: OwnApp,
) -> None:
    # given a user paying Pro by UPI, ten days into the cycle
    user = a_user()
    old_id = await subscribed(tiers, user, method="upi")
    await tiers.sandbox.advance(days=10)
    old = await tiers.sandbox.subscription(old_id)
    until_before = await access_until(tiers, user)
    # when they change to Teams
    result = await change(tiers, user, "teams")
    # then a Checkout for a new subscription on Teams is waiting, and nothing else changed yet
    assert (result["state"], result["path"]) == ("AWAITING_PAYMENT", "NEW_SUBSCRIPTION")
    new_id = result["checkout"]["subscriptionId"]
    assert new_id != old_id and result["checkout"]["name"] == "Teams"
    assert (await tiers.sandbox.subscription(old_id))["status"] == "active"
    assert await access_until(tiers, user) == until_before  # no gap while in flight
    # when the new one is paid through Checkout and confirmed (the webhooks too)
    handler = await tiers.sandbox.pay(new_id, method="upi")
    await confirm(tiers.client, handler, user=user)
    await tiers.sandbox.drain()
    # then the old one is cancelled at the sandbox, and the unused time refunded to the second
    assert (await tiers.sandbox.subscription(old_id))["status"] == "cancelled"
    new = await tiers.sandbox.subscription(new_id)
    [(old_payment, refunds)] = (await tiers.sandbox.payments_of(old_id)).items()
    period = old["current_end"] - old["current_start"]
    expected = 149900 * (old["current_end"] - new["current_start"]) // period
    assert refunds == [expected] and 45000 < expected < 105000  # about two thirds of 149900
    # and the change is applied once, whichever of confirm and webhook came first
    settled = await PlanChange.get(result["id"])
    assert settled is not None and settled.state.value == "applied"
    assert settled.refunded_paise == expected
    assert (await stored(new_id)).plan_code == "teams"
    assert await access_until(tiers, user) != until_before  # Teams' period now
    # and a replay of the request changes nothing more
    again = await change(tiers, user, "teams", key=settled.idempotency_key)
    assert (again["state"], again["refundedPaise"]) == ("APPLIED", expected)
    assert (await tiers.sandbox.payments_of(old_id))[old_payment] == [expected]
    live = [
        s
        for s in await tiers.sandbox.subscriptions(notes_user_id=str(settled.user_id))
        if s["status"] in ("active", "authenticated")
    ]
    assert [s["id"] for s in live] == [new_id]  # never two live charging subscriptions


async def test_failed_payment_on_the_new_plan_leaves_the_old(tiers: OwnApp) -> None:
    # given a user paying Pro by a domestic card who asked to change to Business
    user = a_user()
    old_id = await subscribed(tiers, user, international=False)
    until_before = await access_until(tiers, user)
    result = await change(tiers, user, "business")
    new_id = result["checkout"]["subscriptionId"]
    # when the payment for the new plan fails
    await tiers.sandbox.pay(new_id, fail="card_declined")
    await tiers.sandbox.drain()
    # then the old plan is as it was, and the change still waits for a payment
    assert (await tiers.sandbox.subscription(old_id))["status"] == "active"
    assert (await stored(old_id)).plan_code == "pro"
    assert await access_until(tiers, user) == until_before
    assert (await tiers.sandbox.payments_of(old_id)) == {
        pid: [] for pid in await tiers.sandbox.payments_of(old_id)
    }
    assert (await change(tiers, user, "teams"))["code"] == "CHANGE_IN_FLIGHT"
    # when the user takes the change back
    cancelled = (await call(tiers.client, CANCEL, user=user))["cancelScheduledChange"]
    # then the new subscription can never be paid, and another change can be made
    assert cancelled == {"__typename": "PlanChange", "state": "CANCELLED"}
    assert (await tiers.sandbox.subscription(new_id))["status"] == "cancelled"
    assert (await tiers.sandbox.subscription(old_id))["status"] == "active"
    assert (await change(tiers, user, "teams"))["state"] == "AWAITING_PAYMENT"


async def test_emandate_downgrade_starts_a_new_subscription_at_cycle_end(tiers: OwnApp) -> None:
    # given a user on Business paying by eMandate (bought through changePlan, no trial there)
    user = a_user()
    bought = await change(tiers, user, "business")
    old_id = bought["checkout"]["subscriptionId"]
    await confirm(tiers.client, await tiers.sandbox.pay(old_id, method="emandate"), user=user)
    await tiers.sandbox.drain()
    old = await tiers.sandbox.subscription(old_id)
    # when they change down to Pro
    result = await change(tiers, user, "pro")
    # then a new subscription starts at the old one's cycle end, its mandate authenticated now
    assert (result["state"], result["when"]) == ("AWAITING_PAYMENT", "CYCLE_END")
    new_id = result["checkout"]["subscriptionId"]
    assert (await tiers.sandbox.subscription(new_id))["start_at"] == old["current_end"]
    await confirm(tiers.client, await tiers.sandbox.pay(new_id, method="emandate"), user=user)
    await tiers.sandbox.drain()
    scheduled = await PlanChange.get(result["id"])
    assert scheduled is not None and scheduled.state.value == "scheduled"
    # and Business stays until then, with nothing charged for Pro yet
    assert (await stored(old_id)).state.access_until is not None
    assert (await tiers.sandbox.subscription(new_id))["status"] == "authenticated"
    assert (await tiers.sandbox.invoices(new_id)) == []
    # when the sandbox clock passes the cycle end
    await tiers.sandbox.advance_past_next_charge(new_id)
    # then the old one ended without renewing, and Pro is charged and paid for
    assert (await tiers.sandbox.subscription(old_id))["status"] == "cancelled"
    assert len(await tiers.sandbox.invoices(old_id)) == 1
    assert [i["amount"] for i in await tiers.sandbox.invoices(new_id)] == [149900]
    applied = await PlanChange.get(result["id"])
    assert applied is not None and applied.state.value == "applied"
    assert (await Subscription.find_one({"razorpay_subscription_id": new_id})) is not None
    assert (await stored(new_id)).state.access_until is not None


async def test_finishing_steps_that_failed_are_finished_by_the_next_event(tiers: OwnApp) -> None:
    # given a UPI user who changed to Teams, and Razorpay failing to cancel the old subscription
    user = a_user()
    old_id = await subscribed(tiers, user, method="upi")
    result = await change(tiers, user, "teams")
    new_id = result["checkout"]["subscriptionId"]
    await tiers.sandbox.hold()
    await tiers.sandbox.fail_next("POST", f"/v1/subscriptions/{old_id}/cancel", count=50)
    # when the new one is paid and confirmed
    await confirm(tiers.client, await tiers.sandbox.pay(new_id, method="upi"), user=user)
    # then the change is not finished yet: the old one still lives, nothing is refunded
    waiting = await PlanChange.get(result["id"])
    assert waiting is not None and waiting.state.value == "awaiting_payment"
    assert (await tiers.sandbox.subscription(old_id))["status"] == "active"
    # when Razorpay is back and the held webhooks arrive
    await tiers.sandbox.clear_faults()
    await tiers.sandbox.knobs()
    await tiers.sandbox.drain()
    # then the next event finished it: the old one cancelled, the unused time refunded once
    assert (await tiers.sandbox.subscription(old_id))["status"] == "cancelled"
    [refunds] = (await tiers.sandbox.payments_of(old_id)).values()
    assert len(refunds) == 1
    settled = await PlanChange.get(result["id"])
    assert settled is not None and settled.state.value == "applied"
    assert settled.refunded_paise == refunds[0]
