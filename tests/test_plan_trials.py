"""Trials over HTTP with the sandbox through the real SDK, on the workspace-tier catalog (Teams
has 14 days): the first charge falls at the trial's end, access holds from authentication until
then; cancelled during the trial, nothing is charged and the trial runs out; one trial per user
and per email address. Time moves on the sandbox clock."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from api.documents import TrialClaim, User
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
    assert entitlements["plan"] == "FREE"


async def test_a_second_trial_is_refused_per_user_and_per_email(tiers: OwnApp) -> None:
    # given a user who had Teams' trial and cancelled it
    user = a_user()
    await on_trial(tiers, user)
    await call(tiers.client, CANCEL, user=user, end=False)
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
