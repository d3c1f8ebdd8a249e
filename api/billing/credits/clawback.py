"""Refunds of a credit purchase take its credits back, in proportion to the money refunded.

Checked before any money moves (`shortfall_refusal`): when the user has already spent what the
refund would take back, the refund is refused with CREDITS_ALREADY_SPENT unless staff allow the
shortfall. After Razorpay has refunded (`claw_back_for`), the clawback is written whatever the
balance then is, since the money has gone back: what is missing is recorded as the entry's
shortfall, with the staff member who asked, and logged. The entry is keyed by the refund id, so
a retry of the refund adds nothing.

Razorpay may fail a refund it accepted (`refund.failed`: the money stays with us). Every path
that learns a refund's status (`refundPayment`, the refund webhooks, reconciliation) calls
`follow_refund`, which takes the credits back while the refund stands and gives back what was
taken once it failed (`reverse_for`), keyed by the refund id, so redelivered or reordered events
add nothing. A refund already stored as failed is never clawed back: Razorpay's statuses are
final and `record_refund` never moves a failed refund back.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from api.billing.credits import account
from api.billing.credits.ledger import by_cause
from api.billing.outcomes import FailureCode, Problem
from api.billing.payments import refunded_amount
from api.documents.credits import CreditEntry, CreditPurchase
from api.documents.payments import Payment, Refund
from api.statuses import RefundStatus

log = structlog.get_logger("billing.credits")

# Who took the credits back, when no staff member of ours asked for the refund (yet).
REFUNDED_AT_RAZORPAY = "razorpay"


async def purchase_of(payment: Payment) -> CreditPurchase | None:
    if payment.razorpay_order_id is None:
        return None
    return await CreditPurchase.find_one(
        CreditPurchase.razorpay_order_id == payment.razorpay_order_id
    )


def credits_for(purchase: CreditPurchase, payment: Payment, *, before: int, amount: int) -> int:
    """Credits a refund of `amount` takes back after `before` paise were refunded: the share of
    the money refunded so far, less the share already taken, so a full refund in any number of
    parts takes back exactly the pack."""

    def share(refunded: int) -> int:
        return purchase.credits * min(refunded, payment.amount) // payment.amount

    return share(before + amount) - share(before)


async def shortfall_refusal(
    payment: Payment, amount: int, *, allowed: bool, now: datetime
) -> Problem | None:
    purchase = await purchase_of(payment)
    if purchase is None or allowed or purchase.payment_id != payment.id:
        return None
    before = await refunded_amount(payment.id)
    wanted = credits_for(purchase, payment, before=before, amount=amount)
    held = await account.balance(purchase.user_id, now)
    if held.balance >= wanted:
        return None
    return Problem(
        FailureCode.CREDITS_ALREADY_SPENT,
        f"The refund would take back {wanted} credits but the user holds {held.balance}:"
        f" {wanted - held.balance} credits short. Nothing was refunded; allow the shortfall to"
        " refund anyway and record it.",
    )


async def claw_back_for(
    payment: Payment, refund: Refund, *, actor: str, now: datetime
) -> CreditEntry | None:
    purchase = await purchase_of(payment)
    if purchase is None or purchase.payment_id != payment.id:
        return None  # a flagged purchase granted nothing, so there is nothing to take back
    before = await refunded_amount(payment.id) - refund.amount
    wanted = credits_for(purchase, payment, before=max(before, 0), amount=refund.amount)
    done = await account.claw_back(
        purchase.user_id,
        refund_id=refund.id,
        amount=wanted,
        grant_cause=f"grant:{payment.id}",
        allow_shortfall=True,
        actor=actor,
        now=now,
    )
    if done.entry.shortfall and not done.replayed:
        log.warning(
            "credits_clawback_shortfall",
            user=str(purchase.user_id),
            refund=refund.id,
            shortfall=done.entry.shortfall,
            allowed_by=actor,
        )
    return done.entry


async def follow_refund(
    payment: Payment, refund: Refund, *, actor: str, now: datetime
) -> CreditEntry | None:
    """Bring the credits in line with `refund` as stored: taken back while it stands, given back
    once it failed. The last entry written for it, if any."""
    if await _failed(refund.id):
        return await reverse_for(refund.id, now=now)
    taken = await claw_back_for(payment, refund, actor=actor, now=now)
    if taken is not None and await _failed(refund.id):
        # It failed while the clawback was written: that path found no clawback to reverse.
        return await reverse_for(refund.id, now=now)
    return taken


async def _failed(refund_id: str) -> bool:
    stored = await Refund.get(refund_id)
    return stored is not None and stored.status is RefundStatus.FAILED


async def reverse_for(refund_id: str, *, now: datetime) -> CreditEntry | None:
    """A failed refund: what its clawback took, given back once. None when nothing was clawed
    back (and, the refund being failed, nothing will be)."""
    clawback = await by_cause(f"clawback:{refund_id}")
    if clawback is None:
        return None
    done = await account.reverse_clawback(
        clawback.user_id, refund_id=refund_id, clawback=clawback, now=now
    )
    if not done.replayed:
        log.info(
            "credits_clawback_reversed",
            user=str(clawback.user_id),
            refund=refund_id,
            given_back=done.entry.amount,
            shortfall_voided=clawback.shortfall,
        )
    return done.entry
