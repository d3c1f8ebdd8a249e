"""Finishing a change made through a new subscription, once Razorpay says it is paid.

Called after every observation of a subscription (confirmCheckout, its webhooks, reconciliation,
and a replay of the changePlan request); whichever comes first finishes it, the others find it
settled. Every step is idempotent and keyed, so one that died midway is finished by the next:

- upgrade (or a first purchase): when the new subscription is paid (or its trial authenticated),
  the old one is cancelled at Razorpay now, the unused part of its period refunded (`refund.py`),
  and the change applied. Until then the old one grants access as before: no gap.
- downgrade: when the new subscription's mandate is authenticated, the old one is cancelled at
  its cycle end (it runs out what was paid for) and the change is scheduled; it applies when the
  new one's first charge goes through at that moment.

A failed or abandoned Checkout changes nothing: the old subscription is as it was, and the
change waits for a retried payment or `cancelScheduledChange`.
"""

from __future__ import annotations

from api.billing.deps import Billing
from api.billing.plan_change.refund import refund_unused
from api.billing.plan_change.settle import close
from api.billing.subscription import store
from api.billing.subscription.lifecycle import Decision
from api.documents import PlanChange, Subscription, SubscriptionObservation
from api.documents.plan_changes import ChangeTiming, PlanChangeState
from api.gateway.entities import RazorpaySubscription
from api.gateway.errors import GatewayCallError, GatewayRejected
from api.statuses import SubscriptionStatus

STARTED = (SubscriptionStatus.AUTHENTICATED, SubscriptionStatus.ACTIVE)
SOURCE = "plan-change"


async def after_observing(billing: Billing, razorpay_subscription_id: str) -> None:
    change = await PlanChange.find_one({"new_razorpay_subscription_id": razorpay_subscription_id})
    if change is None or not change.in_flight:
        return
    new = await Subscription.find_one(
        Subscription.razorpay_subscription_id == razorpay_subscription_id
    )
    if new is None:
        return
    if change.timing is ChangeTiming.CYCLE_END and change.razorpay_subscription_id is not None:
        await _downgrade(billing, change, new)
    elif _paid(new, change):
        await _upgrade(billing, change, new)


def _paid(new: Subscription, change: PlanChange) -> bool:
    razorpay = new.state.razorpay
    trial_started = change.trial_ends_at is not None and razorpay.status in STARTED
    return razorpay.paid_count >= 1 or trial_started


async def _upgrade(billing: Billing, change: PlanChange, new: Subscription) -> None:
    if change.razorpay_subscription_id is not None:
        if not await _end_old(billing, change, at_cycle_end=False):
            return  # Razorpay unavailable: the next observation tries again
        refunded = await refund_unused(billing, change, new)
        if refunded is None:
            return
        await change.set({"refunded_paise": refunded})
    await close(billing, change, PlanChangeState.APPLIED)


async def _downgrade(billing: Billing, change: PlanChange, new: Subscription) -> None:
    razorpay = new.state.razorpay
    if change.state is PlanChangeState.AWAITING_PAYMENT and razorpay.status in STARTED:
        if not await _end_old(billing, change, at_cycle_end=True):
            return
        await change.set({"state": PlanChangeState.SCHEDULED})
    if razorpay.paid_count >= 1:
        await close(billing, change, PlanChangeState.APPLIED)


async def _end_old(billing: Billing, change: PlanChange, *, at_cycle_end: bool) -> bool:
    """Cancel the old subscription (now, or at its cycle end), once; False when Razorpay could
    not be asked."""
    old_id = change.razorpay_subscription_id
    assert old_id is not None
    try:
        snapshot = await _cancelled(billing, old_id, at_cycle_end=at_cycle_end)
    except GatewayCallError:
        return False
    if at_cycle_end:
        await _remember_cancel_at_period_end(billing, change, old_id)
    await store.observe(billing, snapshot, id=f"{SOURCE}:{change.id}:old", source=SOURCE)
    return True


async def _cancelled(billing: Billing, old_id: str, *, at_cycle_end: bool) -> RazorpaySubscription:
    snapshot = await billing.gateway.fetch_subscription(old_id)
    if snapshot.status.is_terminal:
        return snapshot
    try:
        return await billing.gateway.cancel_subscription(old_id, at_cycle_end=at_cycle_end)
    except GatewayRejected:
        # Another finisher cancelled it a moment ago: what is it now?
        return await billing.gateway.fetch_subscription(old_id)


async def _remember_cancel_at_period_end(billing: Billing, change: PlanChange, old_id: str) -> None:
    old = await Subscription.find_one(Subscription.razorpay_subscription_id == old_id)
    await store.record(
        SubscriptionObservation(
            id=f"cancel-at-period-end:{old_id}",
            razorpay_subscription_id=old_id,
            event=Decision.CANCEL_REQUESTED,
            observed_at=billing.now(),
            snapshot=old.state.razorpay if old is not None else None,
            source=f"{SOURCE}:{change.id}",
        )
    )
