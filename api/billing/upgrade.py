"""`upgrade`: one unpaid Razorpay subscription per user at a time, whoever asks and how often.

Double clicks, two tabs, retries and two API processes all race here. The unique `open_key` of
`UpgradeClaim` picks one winner; everyone else reads the winner's subscription. The claim stays
open while its subscription lives (see `api.billing.subscription.standing`), so no second one can
start then.

So the user is the idempotency key, and there is no other: asking again gets the open checkout
while it is unpaid, and what stands in the way once it is paid (ALREADY_SUBSCRIBED, ...). A key
per request could add only a replay of that first checkout after it was paid, which Razorpay
Checkout refuses ("Customer payment is not allowed for the Subscription at this stage").
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from api.billing import outcomes
from api.billing.customers import customer_for
from api.billing.deps import Billing
from api.billing.entitlements import access_for
from api.billing.outcomes import Problem
from api.billing.plan_change import trial
from api.billing.subscription.standing import UNPAID, first_obstacle, obstacle
from api.billing.subscription.store import TRIAL_NOTE
from api.catalog.model import Catalog, Period, Plan, Price
from api.catalog.selling import cheapest_sold, describe, total_count
from api.documents import Subscription, UpgradeClaim, User
from api.gateway.errors import GatewayCallError

# A claim still without a subscription after this long belongs to a request that died.
STALE_CLAIM = timedelta(seconds=60)
WAIT_FOR_WINNER = 15.0
POLL = 0.1


@dataclass(frozen=True)
class Checkout:
    key_id: str
    subscription_id: str
    name: str
    description: str
    prefill_email: str | None
    # What the subscription sells (an open checkout keeps its plan), and its trial's end.
    plan_code: str
    period: Period
    trial_ends_at: datetime | None


def offer(catalog: Catalog, plan_code: str | None, period: Period) -> tuple[Plan, Price] | Problem:
    """The plan and price asked for; no plan named is the cheapest plan for sale (Pro)."""
    plan = cheapest_sold(catalog) if plan_code is None else catalog.plan(plan_code)
    if plan is None:
        return outcomes.unknown_plan(f"The catalog has no plan {plan_code!r}.")
    price = plan.price(period)
    if price is None:
        sold = "not sold" if not plan.sold else f"not sold {period.value}"
        return outcomes.unknown_plan(f"{plan.name} is {sold}.")
    return plan, price


async def upgrade(
    billing: Billing, user: User, plan: Plan, price: Price, *, with_trial: bool = True
) -> Checkout | Problem:
    """A user on the default plan subscribing to `plan` at `price` (moving between sold plans
    is a plan change, not an upgrade), with the plan's trial unless `with_trial` is False (one
    per user and email: TRIAL_USED). The one way to a first subscription: `changePlan` for a
    first purchase comes here too, so both share the claim."""
    assert user.id is not None
    current = await access_for(user.id, billing.now(), billing.catalog)
    if current.plan != billing.catalog.default_plan.code:
        return outcomes.ALREADY_SUBSCRIBED
    plan_id = await billing.plans.for_sale(billing.gateway, plan, price, billing.now())
    if isinstance(plan_id, Problem):
        return plan_id
    blocked = await first_obstacle(billing, user.id)
    if blocked is not None:
        return blocked
    deadline = asyncio.get_running_loop().time() + WAIT_FOR_WINNER
    while asyncio.get_running_loop().time() < deadline:
        claim = await UpgradeClaim.find_one(UpgradeClaim.open_key == str(user.id))
        if claim is None:
            won = await _claim(billing, user)
            if won is not None:
                return await _create(billing, user, won, Sale(plan, price, plan_id, with_trial))
            continue
        reused = await _reuse(billing, user, claim)
        if reused is not None:
            return reused
        await asyncio.sleep(POLL)
    return outcomes.UPGRADE_IN_PROGRESS


async def _claim(billing: Billing, user: User) -> UpgradeClaim | None:
    assert user.id is not None
    claim = UpgradeClaim(user_id=user.id, open_key=str(user.id), created_at=billing.now())
    try:
        await claim.insert()
    except DuplicateKeyError:
        return None
    return claim


async def _reuse(billing: Billing, user: User, claim: UpgradeClaim) -> Checkout | Problem | None:
    """The open claim's checkout if it is still payable, why not if its subscription lives on;
    None once the claim is closed (its subscription is over, or its request died)."""
    if claim.razorpay_subscription_id is None:
        if billing.now() - claim.created_at > STALE_CLAIM:
            await _close(billing, claim)
        return None
    subscription = await Subscription.find_one(
        Subscription.razorpay_subscription_id == claim.razorpay_subscription_id
    )
    if subscription is not None and subscription.state.razorpay.status == UNPAID:
        return _checkout(billing, user, subscription)
    # Read now, not at the access check: a webhook may have activated it in between.
    problem = await obstacle(billing, subscription) if subscription is not None else None
    if problem is not None:
        return problem
    await _close(billing, claim)
    return None


@dataclass(frozen=True)
class Sale:
    plan: Plan
    price: Price
    razorpay_plan_id: str
    with_trial: bool


async def _create(
    billing: Billing, user: User, claim: UpgradeClaim, sale: Sale
) -> Checkout | Problem:
    assert user.id is not None
    trial_end = await trial.claim(billing, user, sale.plan, claim) if sale.with_trial else None
    if isinstance(trial_end, Problem):
        await _close(billing, claim)
        return trial_end
    try:
        customer_id = await customer_for(billing, user)
        created = await billing.gateway.create_subscription(
            sale.razorpay_plan_id,
            total_count(sale.price),
            customer_id,
            notes=_notes(user, sale, trial=trial_end is not None),
            start_at=int(trial_end.timestamp()) if trial_end else None,
        )
    except GatewayCallError as error:
        # Free the claim (and the trial) so the next click can try again. A create that may have
        # reached Razorpay leaves at worst an unpaid subscription there, never charged.
        await trial.give_back(claim)
        await _close(billing, claim)
        return outcomes.from_gateway(error)
    now = billing.now()
    subscription = Subscription(
        user_id=user.id,
        razorpay_subscription_id=created.id,
        razorpay_plan_id=created.plan_id,
        plan_code=sale.plan.code,
        period=sale.price.period,
        starts_at=trial_end,
        created_at=now,
        updated_at=now,
    )
    await subscription.insert()
    # Targeted $set, never a whole-document save: a save could reopen a claim closed meanwhile.
    await claim.set({"razorpay_subscription_id": created.id})
    return _checkout(billing, user, subscription)


def _notes(user: User, sale: Sale, *, trial: bool) -> dict[str, str]:
    notes = {
        "user_id": str(user.id),
        "plan_code": sale.plan.code,
        "period": sale.price.period.value,
    }
    # Marks the start_at as a trial's end: access holds from authentication until then.
    return {**notes, TRIAL_NOTE: "1"} if trial else notes


async def _close(billing: Billing, claim: UpgradeClaim) -> None:
    # A value unique to this claim frees the user's open_key on MongoDB and FerretDB alike.
    await claim.set({"open_key": f"closed:{claim.id}", "closed_at": billing.now()})


def _checkout(billing: Billing, user: User, subscription: Subscription) -> Checkout:
    """What Checkout shows: the plan the subscription sells (an open checkout keeps its plan
    even when this call named another)."""
    plan = billing.catalog.plan(subscription.plan_code) or billing.catalog.default_plan
    price = plan.price(subscription.period)
    description = describe(plan, price) if price else plan.name
    trial_end = subscription.starts_at
    if trial_end is not None:
        description += f", free until {trial_end:%d %b %Y}"
    return Checkout(
        key_id=billing.key_id,
        subscription_id=subscription.razorpay_subscription_id,
        name=plan.name,
        description=description,
        prefill_email=user.email,
        plan_code=subscription.plan_code,
        period=subscription.period,
        trial_ends_at=trial_end,
    )
