"""The new-subscription path: where Razorpay cannot update the subscription (UPI, eMandate,
domestic card; FACTS §2.3), or there is none yet (a first purchase, with the plan's trial).

A new Razorpay subscription on the new plan is created now and paid through Checkout; the old one
is left exactly as it is until then (`finish.py` ends it once the new one is paid). An upgrade
starts at once; a downgrade starts (`start_at`) when the old one's paid period ends, the mandate
authenticated now; a trial starts its charges when the trial ends.
"""

from __future__ import annotations

from datetime import datetime

from api.billing import outcomes
from api.billing.customers import customer_for
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change import trial
from api.billing.plan_change.settle import close
from api.billing.subscription.store import TRIAL_NOTE
from api.catalog.model import Period, Plan
from api.documents import PlanChange, Subscription, User
from api.documents.plan_changes import ChangePath, ChangeTiming, PlanChangeState
from api.gateway.errors import GatewayCallError

# Billing cycles a new subscription runs for: ten years (Razorpay's limit is a hundred).
TOTAL_COUNT = {Period.MONTHLY: 120, Period.YEARLY: 10}


async def start(
    billing: Billing,
    user: User,
    claim: PlanChange,
    *,
    old: Subscription | None,
    plan: Plan,
    with_trial: bool,
) -> PlanChange | Problem:
    """The claim, now waiting for the new subscription's Checkout; or why not (claim closed)."""
    trial_end = await trial.claim(billing, user, plan, claim) if with_trial else None
    if isinstance(trial_end, Problem):
        await close(billing, claim, PlanChangeState.FAILED)
        return trial_end
    start_at = trial_end or _later_start(claim, old)
    try:
        created = await billing.gateway.create_subscription(
            claim.to_razorpay_plan_id,
            TOTAL_COUNT[claim.to_period],
            await customer_for(billing, user),
            notes=_notes(user, claim, trial=trial_end is not None),
            start_at=int(start_at.timestamp()) if start_at else None,
        )
    except GatewayCallError as error:
        # At worst an unpaid subscription is left at Razorpay: nobody is charged for it.
        await trial.give_back(claim)
        await close(billing, claim, PlanChangeState.FAILED)
        return outcomes.from_gateway(error)
    await _store(billing, user, claim, created.id, old)
    await claim.set(
        {
            "path": ChangePath.NEW_SUBSCRIPTION,
            "new_razorpay_subscription_id": created.id,
            "state": PlanChangeState.AWAITING_PAYMENT,
            "trial_ends_at": trial_end,
            "effective_at": start_at,
            **_old_period(old),
        }
    )
    return claim


def _later_start(claim: PlanChange, old: Subscription | None) -> datetime | None:
    if old is None or claim.timing is ChangeTiming.NOW:
        return None
    return old.state.razorpay.current_end


def _old_period(old: Subscription | None) -> dict[str, datetime | None]:
    razorpay = old.state.razorpay if old is not None else None
    return {
        "old_period_start": razorpay.current_start if razorpay else None,
        "old_period_end": razorpay.current_end if razorpay else None,
    }


def _notes(user: User, claim: PlanChange, *, trial: bool) -> dict[str, str]:
    notes = {"user_id": str(user.id), "plan_code": claim.to_plan, "plan_change": str(claim.id)}
    return {**notes, TRIAL_NOTE: "1"} if trial else notes


async def _store(
    billing: Billing, user: User, claim: PlanChange, razorpay_id: str, old: Subscription | None
) -> None:
    assert user.id is not None
    now = billing.now()
    await Subscription(
        user_id=user.id,
        razorpay_subscription_id=razorpay_id,
        razorpay_plan_id=claim.to_razorpay_plan_id,
        plan_code=claim.to_plan,
        period=claim.to_period,
        replaces=old.razorpay_subscription_id if old is not None else None,
        created_at=now,
        updated_at=now,
    ).insert()
