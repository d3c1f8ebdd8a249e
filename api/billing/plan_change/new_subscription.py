"""The new-subscription path: where Razorpay cannot update the subscription (UPI, eMandate,
domestic card; FACTS §2.3). (A first purchase, with the plan's trial, is `upgrade`'s.)

A new Razorpay subscription on the new plan is created now and paid through Checkout; the old one
is left exactly as it is until then (`finish.py` ends it once the new one is paid). An upgrade
starts at once; a downgrade starts (`start_at`) when the old one's paid period ends, the mandate
authenticated now (Checkout pays the ₹5 authentication token).
"""

from __future__ import annotations

from datetime import datetime

from api.billing import outcomes
from api.billing.customers import customer_for
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change.settle import close
from api.catalog.model import Period
from api.documents import PlanChange, Subscription, User
from api.documents.plan_changes import ChangePath, ChangeTiming, PlanChangeState
from api.gateway.errors import GatewayCallError

# Billing cycles a new subscription runs for: ten years (Razorpay's limit is a hundred).
TOTAL_COUNT = {Period.MONTHLY: 120, Period.YEARLY: 10}


async def start(
    billing: Billing, user: User, claim: PlanChange, *, old: Subscription
) -> PlanChange | Problem:
    """The claim, now waiting for the new subscription's Checkout; or why not (claim closed)."""
    start_at = _later_start(claim, old)
    try:
        created = await billing.gateway.create_subscription(
            claim.to_razorpay_plan_id,
            TOTAL_COUNT[claim.to_period],
            await customer_for(billing, user),
            notes=_notes(user, claim),
            start_at=int(start_at.timestamp()) if start_at else None,
        )
    except GatewayCallError as error:
        # At worst an unpaid subscription is left at Razorpay: nobody is charged for it.
        await close(billing, claim, PlanChangeState.FAILED)
        return outcomes.from_gateway(error)
    await _store(billing, user, claim, created.id, old, start_at)
    await claim.set(
        {
            "path": ChangePath.NEW_SUBSCRIPTION,
            "new_razorpay_subscription_id": created.id,
            "state": PlanChangeState.AWAITING_PAYMENT,
            "effective_at": start_at,
            **_old_period(old),
        }
    )
    return claim


def _later_start(claim: PlanChange, old: Subscription) -> datetime | None:
    if claim.timing is ChangeTiming.NOW:
        return None
    return old.state.razorpay.current_end


def _old_period(old: Subscription) -> dict[str, datetime | None]:
    razorpay = old.state.razorpay
    return {"old_period_start": razorpay.current_start, "old_period_end": razorpay.current_end}


def _notes(user: User, claim: PlanChange) -> dict[str, str]:
    return {
        "user_id": str(user.id),
        "plan_code": claim.to_plan,
        "period": claim.to_period.value,
        "plan_change": str(claim.id),
    }


async def _store(
    billing: Billing,
    user: User,
    claim: PlanChange,
    razorpay_id: str,
    old: Subscription,
    start_at: datetime | None,
) -> None:
    assert user.id is not None
    now = billing.now()
    await Subscription(
        user_id=user.id,
        razorpay_subscription_id=razorpay_id,
        razorpay_plan_id=claim.to_razorpay_plan_id,
        plan_code=claim.to_plan,
        period=claim.to_period,
        replaces=old.razorpay_subscription_id,
        starts_at=start_at,
        created_at=now,
        updated_at=now,
    ).insert()
