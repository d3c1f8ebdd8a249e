"""A plan change taking effect, or ending without: the subscription document follows the plan
Razorpay charges, and the user's claim is freed."""

from __future__ import annotations

from api.billing.deps import Billing
from api.documents import PlanChange, Subscription
from api.documents.plan_changes import PlanChangeState


async def apply(billing: Billing, change: PlanChange) -> None:
    # Targeted $set: the lifecycle rewrites `state` of the same document concurrently.
    await Subscription.find_one(
        Subscription.razorpay_subscription_id == change.razorpay_subscription_id
    ).update(
        {
            "$set": {
                "plan_code": change.to_plan,
                "period": change.to_period.value,
                "razorpay_plan_id": change.to_razorpay_plan_id,
                "updated_at": billing.now(),
            }
        }
    )
    await close(billing, change, PlanChangeState.APPLIED)


async def close(billing: Billing, change: PlanChange, state: PlanChangeState) -> None:
    """Settle the change and free the user's open_key (a value unique to this change)."""
    now = billing.now()
    fields = {"state": state, "open_key": f"closed:{change.id}", "settled_at": now}
    if state is PlanChangeState.APPLIED and change.effective_at is None:
        fields["effective_at"] = now
    await change.set(fields)


async def apply_taken(billing: Billing, razorpay_subscription_id: str, plan_id: str) -> None:
    """A snapshot of the subscription on `plan_id`: a scheduled change to it has taken effect."""
    scheduled = await PlanChange.find_one(
        {
            "razorpay_subscription_id": razorpay_subscription_id,
            "state": PlanChangeState.SCHEDULED.value,
            "to_razorpay_plan_id": plan_id,
        }
    )
    if scheduled is not None:
        await apply(billing, scheduled)
