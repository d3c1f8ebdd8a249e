"""`changePlan` where Razorpay can update the subscription (a card that allows it, FACTS §2.3):
its update with `schedule_change_at`.

- NOW: Razorpay charges (upgrade) or refunds (downgrade) the new amount minus the old for the
  unused part of the cycle first; a failed charge changes nothing (CHANGE_PAYMENT_FAILED).
  The subscription document takes the new plan at once: no gap, and no second subscription.
- CYCLE_END: Razorpay schedules it; the old plan stays until the cycle end, when
  `subscription.updated` carries the new plan (`scheduled.apply_taken`). It stays in flight
  until then, and `cancelScheduledChange` takes it back.

One change in flight per user: an insert of an open `PlanChange` (a unique-index claim). The
same idempotency key returns the change it made. Where Razorpay refuses the update (UPI,
eMandate, domestic card) the answer is CHANGE_NEEDS_CHECKOUT and nothing changes: the
new-subscription path through Checkout is not built yet.
"""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from api.billing import outcomes
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change import problems, rules
from api.billing.plan_change.razorpay_plans import razorpay_plan_for
from api.billing.plan_change.settle import apply, close
from api.billing.subscription.queries import current_subscription
from api.catalog.model import Period
from api.documents import PlanChange, Subscription, User
from api.documents.plan_changes import ChangeTiming, PlanChangeState
from api.gateway.errors import GatewayCallError, SubscriptionNotUpdatable, UpdateChargeFailed


async def change_plan(
    billing: Billing,
    user: User,
    *,
    plan: str,
    period: Period,
    timing: ChangeTiming | None,
    idempotency_key: str,
) -> PlanChange | Problem:
    assert user.id is not None
    replayed = await PlanChange.find_one({"user_id": user.id, "idempotency_key": idempotency_key})
    if replayed is not None:
        return replayed
    wanted = rules.target(billing.catalog, plan, period)
    if isinstance(wanted, Problem):
        return wanted
    subscription = await current_subscription(user.id)
    blocked = rules.obstacle(subscription, wanted)
    if blocked is not None:
        return blocked
    assert subscription is not None
    plan_id = await razorpay_plan_for(billing, wanted.plan, wanted.period)
    if isinstance(plan_id, Problem):
        return plan_id
    when = timing or rules.default_timing(rules.is_upgrade(billing.catalog, subscription, wanted))
    claim = _claim(billing, subscription, wanted, plan_id, when, idempotency_key)
    try:
        await claim.insert()
    except DuplicateKeyError:
        return await _lost(user, idempotency_key)
    return await _update(billing, subscription, claim)


def _claim(
    billing: Billing,
    subscription: Subscription,
    wanted: rules.Target,
    plan_id: str,
    when: ChangeTiming,
    key: str,
) -> PlanChange:
    return PlanChange(
        user_id=subscription.user_id,
        open_key=str(subscription.user_id),
        idempotency_key=key,
        razorpay_subscription_id=subscription.razorpay_subscription_id,
        from_plan=subscription.plan_code,
        from_period=subscription.period,
        to_plan=wanted.plan.code,
        to_period=wanted.period,
        to_razorpay_plan_id=plan_id,
        timing=when,
        created_at=billing.now(),
    )


async def _lost(user: User, key: str) -> PlanChange | Problem:
    """The insert lost: to this very request sent twice at once, or to another change."""
    same = await PlanChange.find_one({"user_id": user.id, "idempotency_key": key})
    return same if same is not None else problems.CHANGE_IN_FLIGHT


async def _update(
    billing: Billing, subscription: Subscription, claim: PlanChange
) -> PlanChange | Problem:
    try:
        updated = await billing.gateway.update_subscription(
            subscription.razorpay_subscription_id,
            plan_id=claim.to_razorpay_plan_id,
            schedule_change_at=claim.timing.value,
        )
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
    if isinstance(error, SubscriptionNotUpdatable):
        return problems.NEEDS_CHECKOUT
    if isinstance(error, UpdateChargeFailed):
        return problems.PAYMENT_FAILED
    return outcomes.from_gateway(error)
