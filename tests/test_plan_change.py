"""changePlan and cancelScheduledChange over HTTP, on the workspace-tier catalog, with the
sandbox through the real SDK: a card Razorpay can update moves at once (prorated charge at the
sandbox) or at the cycle end (applied when the sandbox clock passes it)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from api.documents import PlanChange, Subscription
from api.documents.razorpay_plans import RazorpayPlanLink
from api.settings import Settings
from tests.billing_calls import ENTITLEMENTS, call, confirm, start_upgrade
from tests.own_app import OwnApp, own_app

pytestmark = pytest.mark.asyncio(loop_scope="session")
RAZORPAY_PLANS = RazorpayPlanLink.Settings.name

TIERS = Path(__file__).resolve().parent.parent / "examples" / "catalogs" / "workspace-tiers"
CHANGE = """mutation($plan: String!, $key: String!, $period: Period!, $when: ChangeTiming) {
  changePlan(plan: $plan, idempotencyKey: $key, period: $period, when: $when) {
  __typename
  ... on PlanChange { id plan period fromPlan when state effectiveAt }
  ... on Failure { code message } } }"""
CANCEL = """mutation { cancelScheduledChange { __typename
  ... on PlanChange { state } ... on Failure { code } } }"""
PENDING = """{ pendingPlanChange { id plan toPlan { code name } period fromPlan when state
  effectiveAt path checkout { subscriptionId } } }"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tiers(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[OwnApp]:
    tmp = tmp_path_factory.mktemp("tiers")
    await forget_plan_links(settings)
    async with own_app(settings, tmp / "var", policy_dir=TIERS) as app:
        yield app


async def forget_plan_links(settings: Settings) -> None:
    """The Razorpay plans linked so far are another sandbox's (the database is the session's,
    not emptied for a module's app): this app's sandbox syncs its own at start."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        await client[settings.mongodb_db][RAZORPAY_PLANS].delete_many({})
    finally:
        await client.close()


def a_user() -> str:
    return f"changer-{uuid.uuid4().hex[:10]}"


async def subscribed(app: OwnApp, user: str, **payer: Any) -> str:
    """A user paying the Pro subscription through Checkout (by default an international card,
    which Razorpay can update)."""
    checkout = await start_upgrade(app.client, user=user)
    assert "subscriptionId" in checkout, checkout
    subscription_id: str = checkout["subscriptionId"]
    handler = await app.sandbox.pay(subscription_id, **(payer or {"international": True}))
    await confirm(app.client, handler, user=user)
    await app.sandbox.drain()
    return subscription_id


async def change(
    app: OwnApp, user: str, plan: str, *, period: str = "MONTHLY", **extra: Any
) -> dict[str, Any]:
    extra.setdefault("key", f"change-{uuid.uuid4().hex}")
    data = await call(app.client, CHANGE, user=user, plan=plan, period=period, **extra)
    result: dict[str, Any] = data["changePlan"]
    return result


async def stored(subscription_id: str) -> Subscription:
    found = await Subscription.find_one(Subscription.razorpay_subscription_id == subscription_id)
    assert found is not None
    return found


async def test_card_upgrade_now_charges_the_prorated_difference(tiers: OwnApp) -> None:
    # given a user paying Pro by an international card, ten days into the cycle
    user = a_user()
    sub_id = await subscribed(tiers, user)
    await tiers.sandbox.advance(days=10)
    before = await tiers.sandbox.subscription(sub_id)
    # when they change to Teams (up: now by default)
    result = await change(tiers, user, "teams")
    # then it applied at once, on the same subscription
    assert (result["__typename"], result["state"], result["when"]) == (
        "PlanChange",
        "APPLIED",
        "NOW",
    )
    assert (result["fromPlan"], result["plan"]) == ("pro", "teams")
    document = await stored(sub_id)
    assert (document.plan_code, document.period.value) == ("teams", "monthly")
    after = await tiers.sandbox.subscription(sub_id)
    assert after["plan_id"] == document.razorpay_plan_id != before["plan_id"]
    # and the sandbox charged the prorated difference on an invoice of its own
    prorated = (await tiers.sandbox.invoices(sub_id))[0]
    unused = before["current_end"] - before["current_start"]
    share = (before["current_end"] - (await tiers.sandbox.now())) / unused
    assert prorated["status"] == "paid"
    assert prorated["amount"] == pytest.approx((499900 - 149900) * share, rel=0.01)


async def test_card_downgrade_applies_at_cycle_end(tiers: OwnApp) -> None:
    # given a user on Teams (changed up from Pro)
    user = a_user()
    sub_id = await subscribed(tiers, user)
    await change(tiers, user, "teams")
    # when they change down to Pro (cycle end by default)
    result = await change(tiers, user, "pro")
    # then it is scheduled, and Teams stays until the cycle end
    assert (result["state"], result["when"]) == ("SCHEDULED", "CYCLE_END")
    razorpay = await tiers.sandbox.subscription(sub_id)
    assert razorpay["has_scheduled_changes"] is True
    assert (await stored(sub_id)).plan_code == "teams"
    # and a second change meanwhile is refused
    assert (await change(tiers, user, "business"))["code"] == "CHANGE_IN_FLIGHT"
    # when the sandbox clock passes the cycle end
    await tiers.sandbox.advance_past_next_charge(sub_id)
    # then the subscription is on Pro, renewed at Pro's price, and the change settled
    assert (await stored(sub_id)).plan_code == "pro"
    assert (await tiers.sandbox.invoices(sub_id))[0]["amount"] == 149900
    settled = await PlanChange.find_one({"razorpay_subscription_id": sub_id, "to_plan": "pro"})
    assert settled is not None and settled.state.value == "applied"


async def test_cancel_scheduled_change_keeps_the_plan(tiers: OwnApp) -> None:
    # given a Pro user who scheduled a change to Teams for the cycle end
    user = a_user()
    sub_id = await subscribed(tiers, user)
    scheduled = await change(tiers, user, "teams", when="CYCLE_END")
    assert scheduled["state"] == "SCHEDULED"
    # when they take it back
    cancelled = (await call(tiers.client, CANCEL, user=user))["cancelScheduledChange"]
    # then nothing is scheduled at Razorpay, the plan stays Pro after the cycle end
    assert cancelled == {"__typename": "PlanChange", "state": "CANCELLED"}
    assert (await tiers.sandbox.subscription(sub_id))["has_scheduled_changes"] is False
    await tiers.sandbox.advance_past_next_charge(sub_id)
    assert (await stored(sub_id)).plan_code == "pro"
    # and a second cancel finds nothing
    again = (await call(tiers.client, CANCEL, user=user))["cancelScheduledChange"]
    assert again == {"__typename": "Failure", "code": "NOT_FOUND"}


async def pending(app: OwnApp, user: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await call(app.client, PENDING, user=user))["pendingPlanChange"]
    return found


async def test_a_scheduled_downgrade_is_pending_for_its_user_until_it_applies(
    tiers: OwnApp,
) -> None:
    # given a user on Teams (changed up from Pro), with nothing in flight
    user = a_user()
    sub_id = await subscribed(tiers, user)
    await change(tiers, user, "teams")
    assert await pending(tiers, user) is None
    # when they change down to Pro at the cycle end
    scheduled = await change(tiers, user, "pro")
    # then the pending change is that one, with the plan's name and the date it applies
    shown = await pending(tiers, user)
    assert shown == {
        "id": scheduled["id"],
        "plan": "pro",
        "toPlan": {"code": "pro", "name": "Pro"},
        "period": "MONTHLY",
        "fromPlan": "teams",
        "when": "CYCLE_END",
        "state": "SCHEDULED",
        "effectiveAt": scheduled["effectiveAt"],
        "path": "UPDATE",
        "checkout": None,
    }
    assert shown["effectiveAt"] is not None
    # and another user never sees it
    assert await pending(tiers, a_user()) is None
    # when the sandbox clock passes the cycle end and Razorpay applies it
    await tiers.sandbox.advance_past_next_charge(sub_id)
    # then nothing is pending any more
    assert (await stored(sub_id)).plan_code == "pro"
    assert await pending(tiers, user) is None


async def test_a_cancelled_change_is_no_longer_pending(tiers: OwnApp) -> None:
    # given a Pro user with a change to Teams scheduled for the cycle end
    user = a_user()
    await subscribed(tiers, user)
    scheduled = await change(tiers, user, "teams", when="CYCLE_END")
    assert (await pending(tiers, user) or {}).get("id") == scheduled["id"]
    # when they take it back
    await call(tiers.client, CANCEL, user=user)
    # then nothing is pending
    assert await pending(tiers, user) is None


async def test_failed_prorated_payment_leaves_the_old_plan(tiers: OwnApp) -> None:
    # given a Pro user whose card will decline the next charge
    user = a_user()
    sub_id = await subscribed(tiers, user)
    await tiers.sandbox.next_charge(sub_id, fail="card_declined")
    # when they change up now
    result = await change(tiers, user, "business")
    # then the change failed, the plan is as it was, and another change may be tried
    assert result["code"] == "CHANGE_PAYMENT_FAILED"
    assert (await stored(sub_id)).plan_code == "pro"
    assert (await tiers.sandbox.subscription(sub_id))["plan_id"] == (
        await stored(sub_id)
    ).razorpay_plan_id
    assert (await change(tiers, user, "teams"))["state"] == "APPLIED"


async def test_same_key_returns_the_same_change(tiers: OwnApp) -> None:
    # given a Pro user who changed to Teams with a key
    user = a_user()
    sub_id = await subscribed(tiers, user)
    first = await change(tiers, user, "teams", key="same-change-key-1")
    # when the same request comes again
    again = await change(tiers, user, "teams", key="same-change-key-1")
    # then it is the same change, charged once
    assert first["id"] == again["id"] and again["state"] == "APPLIED"
    assert len(await tiers.sandbox.invoices(sub_id)) == 2  # the first cycle, one prorated charge


async def test_down_to_free_happens_at_period_end(tiers: OwnApp) -> None:
    # given a Pro user
    user = a_user()
    sub_id = await subscribed(tiers, user)
    paid_until = (await stored(sub_id)).state.access_until
    # when they change to Free
    result = await change(tiers, user, "free")
    # then Pro runs out what was paid for: the subscription is cancelled at its cycle end
    assert (result["plan"], result["when"], result["state"]) == ("free", "CYCLE_END", "APPLIED")
    assert result["effectiveAt"] is not None
    assert (await stored(sub_id)).state.access_until == paid_until
    assert (await stored(sub_id)).state.cancel_at_period_end
    # when the sandbox clock passes the cycle end
    await tiers.sandbox.advance_past_next_charge(sub_id)
    # then nothing more was charged, and the user is on Free
    assert (await tiers.sandbox.subscription(sub_id))["status"] == "cancelled"
    assert len(await tiers.sandbox.invoices(sub_id)) == 1
    plan = (await call(tiers.client, ENTITLEMENTS, user=user))["entitlements"]["plan"]
    assert plan == {"code": "free"}


async def test_down_to_free_now_is_refused_and_changes_nothing(tiers: OwnApp) -> None:
    # given a Pro user
    user = a_user()
    sub_id = await subscribed(tiers, user)
    # when they ask to move to Free now
    result = await change(tiers, user, "free", when="NOW")
    # then it is refused, naming the way to end it now, and the subscription is as it was
    assert result["code"] == "TIMING_NOT_OFFERED"
    assert "cancelSubscription" in result["message"]
    assert not (await stored(sub_id)).state.cancel_at_period_end
    # and the change at the period's end can still be asked for
    assert (await change(tiers, user, "free"))["state"] == "APPLIED"


async def test_refusals(tiers: OwnApp) -> None:
    # a user on Pro
    user = a_user()
    await subscribed(tiers, user)
    assert (await change(tiers, user, "platinum"))["code"] == "UNKNOWN_PLAN"
    assert (await change(tiers, "changer-never-paid", "free"))["code"] == "SAME_PLAN"
    assert (await change(tiers, user, "pro"))["code"] == "SAME_PLAN"
