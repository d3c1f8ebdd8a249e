"""Trials over HTTP with the sandbox through the real SDK, on the workspace-tier catalog (Teams
has 14 days): the first charge falls at the trial's end, access holds from authentication until
then; cancelled during the trial, nothing is charged and the trial runs out; one trial per user
and per email address. Time moves on the sandbox clock."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from api.documents import Payment, PlanChange, Subscription, TrialClaim, User
from tests.billing_calls import CANCEL, ENTITLEMENTS, call, confirm
from tests.builders import graphql, token
from tests.own_app import OwnApp
from tests.test_plan_change import a_user, tiers
from tests.test_plan_change_checkout import CHANGE_FULL

__all__ = ["tiers"]

pytestmark = pytest.mark.asyncio(loop_scope="session")

BUY = (
    CHANGE_FULL.replace("effectiveAt path", "effectiveAt trialEndsAt path")
    .replace("$when: ChangeTiming)", "$when: ChangeTiming, $trial: Boolean! = true)")
    .replace("when: $when)", "when: $when, trial: $trial)")
)


async def buy(
    app: OwnApp, user: str, plan: str, *, email: str | None = None, **extra: Any
) -> dict[str, Any]:
    variables = {"plan": plan, "period": "MONTHLY", "key": f"buy-{uuid.uuid4().hex}", **extra}
    bearer = token(sub=user, email=email or f"{user}@example.com")
    response = await graphql(app.client, BUY, variables=variables, bearer=bearer)
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["changePlan"]
    return result


async def access_until(app: OwnApp, user: str) -> datetime | None:
    found = (await call(app.client, ENTITLEMENTS, user=user))["entitlements"]["accessUntil"]
    return datetime.fromisoformat(found) if found else None


async def on_trial(app: OwnApp, user: str) -> tuple[str, datetime]:
    """A user who started Teams' trial through Checkout (the mandate authenticated)."""
    bought = await buy(app, user, "teams")
    assert bought["state"] == "AWAITING_PAYMENT"
    subscription_id: str = bought["checkout"]["subscriptionId"]
    await confirm(app.client, await app.sandbox.pay(subscription_id), user=user)
    await app.sandbox.drain()
    return subscription_id, datetime.fromisoformat(bought["trialEndsAt"])


async def test_a_trial_grants_access_until_its_end_then_charges(tiers: OwnApp) -> None:
    # given a free user
    user = a_user()
    started = await tiers.sandbox.now()
    # when they buy Teams and authenticate the mandate through Checkout
    sub_id, trial_end = await on_trial(tiers, user)
    # then the first charge falls at the trial's end, 14 days on, and nothing is charged now
    razorpay = await tiers.sandbox.subscription(sub_id)
    assert razorpay["status"] == "authenticated"
    assert razorpay["charge_at"] == int(trial_end.timestamp())
    assert abs(razorpay["charge_at"] - started - 14 * 86400) < 600
    assert await tiers.sandbox.invoices(sub_id) == []
    # and the ₹5 authentication token is recorded as what it is, not as a wrong plan price
    token_payments = await Payment.find(Payment.razorpay_subscription_id == sub_id).to_list()
    assert [(p.amount, p.expected_amount, p.amount_mismatch) for p in token_payments] == [
        (500, 500, False)
    ]
    # and access holds from now until the trial's end
    assert await access_until(tiers, user) == trial_end
    # when the sandbox clock passes the trial's end
    await tiers.sandbox.advance_past_next_charge(sub_id)
    # then Teams is charged, and access runs to the end of the paid period
    assert [i["amount"] for i in await tiers.sandbox.invoices(sub_id)] == [499900]
    paid_until = await access_until(tiers, user)
    assert paid_until is not None and paid_until > trial_end + timedelta(days=27)


async def test_cancelled_during_the_trial_nothing_is_charged(tiers: OwnApp) -> None:
    # given a user five days into Teams' trial
    user = a_user()
    sub_id, trial_end = await on_trial(tiers, user)
    await tiers.sandbox.advance(days=5)
    # when they cancel (at period end, as the SPA does)
    cancelled = (await call(tiers.client, CANCEL, user=user, end=True))["cancelSubscription"]
    # then Razorpay will never charge it, and access lasts until the trial's end
    assert cancelled["__typename"] == "Subscription"
    assert (await tiers.sandbox.subscription(sub_id))["status"] == "cancelled"
    assert await access_until(tiers, user) == trial_end
    # when the trial's end passes
    await tiers.sandbox.advance(days=10)
    # then nothing was charged, and access is over
    assert await tiers.sandbox.invoices(sub_id) == []
    entitlements = (await call(tiers.client, ENTITLEMENTS, user=user))["entitlements"]
    assert entitlements["plan"]["code"] == "free"


async def test_a_second_trial_is_refused_per_user_and_per_email(tiers: OwnApp) -> None:
    # given a user who had Teams' trial, cancelled it, and whose trial has run out (until then
    # they are on Teams, and buying it is ALREADY_SUBSCRIBED, as for any upgrade)
    user = a_user()
    await on_trial(tiers, user)
    await call(tiers.client, CANCEL, user=user, end=False)
    await tiers.sandbox.advance(days=15)
    # when they ask for the trial again, then it is refused
    assert (await buy(tiers, user, "teams"))["code"] == "TRIAL_USED"
    # and so is another user with the same email address (any case)
    other = a_user()
    again = await buy(tiers, other, "teams", email=f"{user.upper()}@EXAMPLE.com")
    assert again["code"] == "TRIAL_USED"
    # and the refusal took nothing of theirs: their own user claim was given back
    other_user = await User.find_one(User.subject == other)
    assert other_user is not None
    assert await TrialClaim.get(f"user:{other_user.id}") is None
    # and paying now without a trial is open to them
    paid = await buy(tiers, user, "teams", trial=False)
    assert (paid["state"], paid["trialEndsAt"]) == ("AWAITING_PAYMENT", None)


UPGRADE_TO = """mutation($plan: String!, $trial: Boolean! = true) {
  upgrade(plan: $plan, period: MONTHLY, trial: $trial) { __typename
  ... on CheckoutDetails { subscriptionId description } ... on Failure { code } } }"""


async def upgrade_to(app: OwnApp, user: str, *, email: str | None = None) -> dict[str, Any]:
    bearer = token(sub=user, email=email or f"{user}@example.com")
    response = await graphql(app.client, UPGRADE_TO, variables={"plan": "teams"}, bearer=bearer)
    result: dict[str, Any] = response.json()["data"]["upgrade"]
    return result


async def test_upgrade_and_a_first_change_plan_share_one_checkout_and_one_trial(
    tiers: OwnApp,
) -> None:
    # given a free user
    user = a_user()
    # when upgrade and changePlan both buy Teams at once
    bought, changed = await asyncio.gather(upgrade_to(tiers, user), buy(tiers, user, "teams"))
    # then both answer with the same Checkout: one subscription, on Teams' trial
    sub_id = bought["subscriptionId"]
    assert changed["checkout"]["subscriptionId"] == sub_id
    assert changed["trialEndsAt"] is not None and "free until" in bought["description"]
    owner = await User.find_one(User.subject == user)
    assert owner is not None
    assert await Subscription.find({"user_id": owner.id}).count() == 1
    razorpay = await tiers.sandbox.subscription(sub_id)
    assert razorpay["start_at"] == int(datetime.fromisoformat(changed["trialEndsAt"]).timestamp())
    # and the trial is theirs: a second user with the same email gets none through upgrade either
    other = await upgrade_to(tiers, a_user(), email=f"{user}@example.com")
    assert other["code"] == "TRIAL_USED"
    # and once paid (the mandate authenticated) the change applies, and they are on Teams
    await confirm(tiers.client, await tiers.sandbox.pay(sub_id), user=user)
    await tiers.sandbox.drain()
    applied = await PlanChange.get(changed["id"])
    assert applied is not None and applied.state.value == "applied"
    assert (await call(tiers.client, ENTITLEMENTS, user=user))["entitlements"]["plan"] == {
        "code": "teams"
    }
