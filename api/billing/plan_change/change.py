"""`changePlan`: move the user's subscription to another catalog plan or period.

- Where Razorpay can update the subscription (a card that allows it, FACTS §2.3): its update
  with `schedule_change_at`. NOW: Razorpay charges (upgrade) or refunds (downgrade) the prorated
  difference first; a failed charge changes nothing (CHANGE_PAYMENT_FAILED). CYCLE_END: Razorpay
  schedules it; `subscription.updated` carries the new plan at the cycle end
  (`settle.apply_taken`), and `cancelScheduledChange` takes it back until then.
- Where Razorpay refuses (UPI, eMandate, domestic card): a new subscription through Checkout
  (`new_subscription.py`, finished by `finish.py`).
- Down to the catalog's default (free) plan: the subscription cancelled at its cycle end.
- A first purchase (no live subscription): `upgrade`'s, with the plan's trial (so the two
  mutations share one claim and cannot make two subscriptions); the change is applied once the
  subscription is paid (`finish.py`).

One change in flight per user: an insert of an open `PlanChange` (a unique-index claim). The
same idempotency key returns the change it made (and finishes it if its payment has arrived).
"""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.errors import DuplicateKeyError

from api.billing import outcomes
from api.billing.cancel import cancel_subscription
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change import finish, new_subscription, problems, rules
from api.billing.plan_change.razorpay_plans import razorpay_plan_for
from api.billing.plan_change.settle import apply, close
from api.billing.subscription.queries import current_subscription
from api.billing.upgrade import upgrade
from api.catalog.model import Period
from api.documents import PlanChange, Subscription, User
from api.documents.plan_changes import ChangePath, ChangeTiming, PlanChangeState
from api.gateway.errors import GatewayCallError, SubscriptionNotUpdatable, UpdateChargeFailed


@dataclass(frozen=True)
class Ask:
    plan: str
    period: Period
    timing: ChangeTiming | None
    idempotency_key: str
    trial: bool = True  # a first purchase of a plan with a trial starts with it


async def change_plan(billing: Billing, user: User, ask: Ask) -> PlanChange | Problem:
    assert user.id is not None
    replayed = await _replayed(billing, user, ask.idempotency_key)
    if replayed is not None:
        return replayed
    wanted = rules.target(billing.catalog, ask.plan, ask.period)
    if isinstance(wanted, Problem):
        return wanted
    subscription = await current_subscription(user.id)
    if rules.first_purchase(subscription):
        if not wanted.plan.sold:
            return problems.SAME_PLAN  # no live subscription: on the free plan already
        return await _first_purchase(billing, user, wanted, ask)
    blocked = rules.obstacle(subscription, wanted)
    if blocked is not None:
        return blocked
    assert subscription is not None
    if not wanted.plan.sold:
        return await _down_to_default(billing, user, subscription, wanted, ask)
    plan_id = await razorpay_plan_for(billing, wanted.plan, wanted.period)
    if isinstance(plan_id, Problem):
        return plan_id
    when = ask.timing or rules.default_timing(
        rules.is_upgrade(billing.catalog, subscription, wanted)
    )
    claim = _claim(billing, user, subscription, wanted, plan_id, when, ask.idempotency_key)
    won = await _insert(claim, user, ask.idempotency_key)
    if won is not claim:
        return won
    return await _update(billing, user, subscription, claim, wanted)


async def _replayed(billing: Billing, user: User, key: str) -> PlanChange | None:
    replayed = await PlanChange.find_one({"user_id": user.id, "idempotency_key": key})
    if replayed is None or replayed.new_razorpay_subscription_id is None:
        return replayed
    # Asking again is one more chance to finish a change whose payment has arrived.
    await finish.after_observing(billing, replayed.new_razorpay_subscription_id)
    return await PlanChange.get(replayed.id)


async def _first_purchase(
    billing: Billing, user: User, wanted: rules.Target, ask: Ask
) -> PlanChange | Problem:
    """Buying a plan is `upgrade`'s (its claim: one unpaid checkout per user, whichever of the
    two mutations asks); the change records it and is applied once it is paid."""
    plan_id = await razorpay_plan_for(billing, wanted.plan, wanted.period)
    if isinstance(plan_id, Problem):
        return plan_id
    claim = _claim(billing, user, None, wanted, plan_id, ChangeTiming.NOW, ask.idempotency_key)
    won = await _insert(claim, user, ask.idempotency_key)
    if won is not claim:
        return won
    price = wanted.plan.price(wanted.period)
    assert price is not None  # rules.target checked it
    bought = await upgrade(billing, user, wanted.plan, price, with_trial=ask.trial)
    if isinstance(bought, Problem) or (bought.plan_code, bought.period) != (
        wanted.plan.code,
        wanted.period,
    ):
        await close(billing, claim, PlanChangeState.FAILED)
        return bought if isinstance(bought, Problem) else problems.checkout_open(bought.name)
    await claim.set(
        {
            "path": ChangePath.NEW_SUBSCRIPTION,
            "new_razorpay_subscription_id": bought.subscription_id,
            "state": PlanChangeState.AWAITING_PAYMENT,
            "trial_ends_at": bought.trial_ends_at,
            "effective_at": bought.trial_ends_at,
        }
    )
    return claim


async def _down_to_default(
    billing: Billing, user: User, subscription: Subscription, wanted: rules.Target, ask: Ask
) -> PlanChange | Problem:
    """Down to the free plan is the subscription cancelled at its cycle end: it runs out what
    was paid for, and Free follows when it ends (`effective_at`)."""
    if ask.timing is ChangeTiming.NOW:
        return problems.FREE_AT_CYCLE_END  # asked for explicitly: refused, never done otherwise
    key = ask.idempotency_key
    claim = _claim(billing, user, subscription, wanted, "", ChangeTiming.CYCLE_END, key)
    won = await _insert(claim, user, key)
    if won is not claim:
        return won
    cancelled = await cancel_subscription(billing, user, at_period_end=True)
    if isinstance(cancelled, Problem):
        await close(billing, claim, PlanChangeState.FAILED)
        return cancelled
    await claim.set({"effective_at": subscription.state.razorpay.current_end})
    await close(billing, claim, PlanChangeState.APPLIED)
    return claim


def _claim(
    billing: Billing,
    user: User,
    subscription: Subscription | None,
    wanted: rules.Target,
    plan_id: str,
    when: ChangeTiming,
    key: str,
) -> PlanChange:
    assert user.id is not None
    return PlanChange(
        user_id=user.id,
        open_key=str(user.id),
        idempotency_key=key,
        razorpay_subscription_id=subscription.razorpay_subscription_id if subscription else None,
        from_plan=subscription.plan_code if subscription else billing.catalog.default_plan.code,
        from_period=subscription.period if subscription else Period.MONTHLY,
        to_plan=wanted.plan.code,
        to_period=wanted.period,
        to_razorpay_plan_id=plan_id,
        timing=when,
        created_at=billing.now(),
    )


async def _insert(claim: PlanChange, user: User, key: str) -> PlanChange | Problem:
    """The claim itself when its insert won; else this very request sent twice at once, or
    another change in flight."""
    try:
        await claim.insert()
    except DuplicateKeyError:
        same = await PlanChange.find_one({"user_id": user.id, "idempotency_key": key})
        return same if same is not None else problems.CHANGE_IN_FLIGHT
    return claim


async def _update(
    billing: Billing,
    user: User,
    subscription: Subscription,
    claim: PlanChange,
    wanted: rules.Target,
) -> PlanChange | Problem:
    try:
        updated = await billing.gateway.update_subscription(
            subscription.razorpay_subscription_id,
            plan_id=claim.to_razorpay_plan_id,
            schedule_change_at=claim.timing.value,
        )
    except SubscriptionNotUpdatable:
        return await new_subscription.start(billing, user, claim, old=subscription)
    except GatewayCallError as error:
        await close(billing, claim, PlanChangeState.FAILED)
        return _refusal(error)
    if claim.timing is ChangeTiming.NOW:
        await apply(billing, claim)
        return claim
    await claim.set({"effective_at": updated.change_scheduled_at or updated.current_end})
    return claim


def _refusal(error: GatewayCallError) -> Problem:
    # A write that may have reached Razorpay is left to reconciliation like any other: the
    # claim is closed, and the next subscription.updated webhook shows what Razorpay did.
    if isinstance(error, UpdateChargeFailed):
        return problems.PAYMENT_FAILED
    return outcomes.from_gateway(error)
