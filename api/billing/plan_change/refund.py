"""The unused part of the old period, refunded when a new subscription replaces the old one.

    refund = floor(paid * unused seconds / period seconds)

`paid` is the old subscription's latest captured payment (what its current period cost),
`period` its paid period as it stood when the change was asked, `unused` from the moment the
new subscription's period started (Razorpay's own time, so every finisher computes the same
amount) to that period's end. Rounded down to the paisa; nothing under Razorpay's minimum refund
(100 paise). Sent under the key `plan-change-<change id>` (ours and Razorpay's), so it is made
once however often the finishing step runs.
"""

from __future__ import annotations

from beanie import SortDirection

from api.billing.deps import Billing
from api.billing.outcomes import MIN_REFUND_PAISE, Problem
from api.billing.refunds import RefundAsk, refund_payment
from api.documents import Payment, PlanChange, Subscription
from api.statuses import PaymentStatus

REQUESTED_BY = "plan-change"


def prorated(paid: int, period_seconds: int, unused_seconds: int) -> int:
    if period_seconds <= 0:
        return 0
    unused = min(max(unused_seconds, 0), period_seconds)
    amount = paid * unused // period_seconds
    return amount if amount >= MIN_REFUND_PAISE else 0


async def refund_unused(billing: Billing, change: PlanChange, new: Subscription) -> int | None:
    """Paise refunded (0: nothing due); None when Razorpay could not be asked (try again)."""
    payment = await _last_payment(change.razorpay_subscription_id)
    switched = new.state.razorpay.current_start or change.settled_at or billing.now()
    start, end = change.old_period_start, change.old_period_end
    if payment is None or start is None or end is None:
        return 0
    amount = prorated(
        payment.amount, int((end - start).total_seconds()), int((end - switched).total_seconds())
    )
    if amount == 0:
        return 0
    outcome = await refund_payment(billing, _ask(change, payment, amount))
    if isinstance(outcome, Problem):
        return None if outcome.retryable else 0
    return amount


def _ask(change: PlanChange, payment: Payment, amount: int) -> RefundAsk:
    return RefundAsk(
        payment_id=payment.id,
        amount=amount,
        reason=f"plan change to {change.to_plan}: the unused part of the period",
        speed="normal",
        revoke_access=False,
        requested_by=REQUESTED_BY,
        idempotency_key=f"plan-change-{change.id}",
    )


async def _last_payment(razorpay_subscription_id: str | None) -> Payment | None:
    return (
        await Payment.find(
            Payment.razorpay_subscription_id == razorpay_subscription_id,
            Payment.status == PaymentStatus.CAPTURED,
        )
        .sort([("created_at", SortDirection.DESCENDING)])
        .first_or_none()
    )
