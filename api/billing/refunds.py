"""`refundPayment`, for staff: full or partial, once per key, optionally revoking access.

What can be checked here is checked before anything is stored (an amount under Razorpay's
minimum or over what remains, a payment whose access cannot be revoked): such a refusal leaves the
key unused. Then the request is claimed under its idempotency key, and the same key goes to
Razorpay as `X-Refund-Idempotency`. From then on the key stands for this one request and its
outcome, as Stripe's keys do: a retry returns the first refund instead of a second one and
finishes what the first left undone (recording it, revoking access); a refusal by Razorpay is
kept and answered again, never re-sent under the key. Releasing the key instead would need a
delete that FerretDB cannot make atomic against a concurrent retry, and Razorpay remembers its
keys with their bodies (whether refused ones too is not documented), so a freed key sent with
another amount could still be refused there. Only a failure that may not have reached Razorpay
(unavailable, timed out) is retried under the key. A key reused for another payment, amount or
access choice is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from api import metrics
from api.billing import outcomes
from api.billing.credits.clawback import follow_refund, shortfall_refusal
from api.billing.deps import Billing
from api.billing.outcomes import MIN_REFUND_PAISE, FailureCode, Problem
from api.billing.payments import refunded_amount
from api.billing.revocation import RevokeIncomplete, revoke_for
from api.documents import Payment, Refund, RefundRequest
from api.gateway.client import RefundSpeed
from api.gateway.entities import RazorpayRefund
from api.gateway.errors import (
    AlreadyFullyRefunded,
    GatewayCallError,
    GatewayRejected,
    IdempotencyKeyReused,
    RefundExceedsCaptured,
)
from api.statuses import PaymentStatus, RefundStatus

KEY_KEEPS_ANSWER = "The idempotency key keeps this answer: use a new key to try again."


@dataclass(frozen=True)
class RefundAsk:
    payment_id: str
    amount: int | None  # None: whatever remains
    reason: str | None
    speed: RefundSpeed
    revoke_access: bool
    requested_by: str
    idempotency_key: str
    allow_credit_shortfall: bool = False  # a credit purchase: refund even if credits were spent


async def refund_payment(billing: Billing, ask: RefundAsk) -> Refund | RevokeIncomplete | Problem:
    if ask.amount is not None and ask.amount < MIN_REFUND_PAISE:
        return outcomes.INVALID_AMOUNT
    payment = await Payment.get(ask.payment_id)
    if payment is None or payment.status is not PaymentStatus.CAPTURED:
        return outcomes.not_found("payment")
    request = await RefundRequest.get(ask.idempotency_key) or await _claim(billing, ask, payment)
    if isinstance(request, Problem):
        return request
    if not _same_request(request, ask):
        return outcomes.IDEMPOTENCY_KEY_REUSED
    refund = await _refund_once(billing, ask, request, payment)
    if isinstance(refund, Problem):
        return refund
    # On every retry too, like the revoke below; keyed by the refund id, so applied once (and
    # given back, not taken, once the refund is known to have failed).
    await follow_refund(payment, refund, actor=request.requested_by, now=billing.now())
    if not request.revoke_access:
        return refund
    # On every retry too: the first attempt may have died, or failed, before it finished.
    return await revoke_for(billing, payment, refund, cause=request.id)


def _same_request(request: RefundRequest, ask: RefundAsk) -> bool:
    asked = (ask.payment_id, ask.amount, ask.revoke_access, ask.allow_credit_shortfall)
    return (
        request.payment_id,
        request.requested_amount,
        request.revoke_access,
        request.allow_credit_shortfall,
    ) == asked


async def _amount(ask: RefundAsk, payment: Payment) -> int | Problem:
    remaining = payment.amount - await refunded_amount(payment.id)
    if ask.amount is not None:
        return ask.amount if ask.amount <= remaining else outcomes.REFUND_EXCEEDS_CAPTURED
    if remaining <= 0:
        return outcomes.REFUND_EXCEEDS_CAPTURED
    if remaining < MIN_REFUND_PAISE:
        return outcomes.remainder_below_minimum(remaining)
    return remaining


async def refusal_or_amount(ask: RefundAsk, payment: Payment) -> int | Problem:
    """What is refused before a key is claimed (nothing stored); otherwise the amount to send."""
    if ask.revoke_access and payment.razorpay_subscription_id is None:
        # Refused before any money moves: a refund whose revoke could not follow is worse.
        return outcomes.PAYMENT_NOT_LINKED
    return await _amount(ask, payment)


async def _claim(billing: Billing, ask: RefundAsk, payment: Payment) -> RefundRequest | Problem:
    """This request's claim on its key; or, when another got there first, theirs."""
    amount = await refusal_or_amount(ask, payment)
    if isinstance(amount, Problem):
        return amount
    spent = await shortfall_refusal(
        payment, amount, allowed=ask.allow_credit_shortfall, now=billing.now()
    )
    if spent is not None:
        return spent
    request = RefundRequest(
        id=ask.idempotency_key,
        payment_id=ask.payment_id,
        amount=amount,
        requested_amount=ask.amount,
        revoke_access=ask.revoke_access,
        allow_credit_shortfall=ask.allow_credit_shortfall,
        requested_by=ask.requested_by,
        created_at=billing.now(),
    )
    try:
        await request.insert()
    except DuplicateKeyError:
        winner = await RefundRequest.get(ask.idempotency_key)
        assert winner is not None
        return winner
    return request


async def _refund_once(
    billing: Billing, ask: RefundAsk, request: RefundRequest, payment: Payment
) -> Refund | Problem:
    if request.razorpay_refund_id is not None:
        # First, even over a kept refusal: a concurrent retry may have been refused while
        # this one's refund went through.
        done = await Refund.get(request.razorpay_refund_id)
        if done is not None:
            return done
    if request.refused_code is not None:
        code = FailureCode(request.refused_code)
        return Problem(code, request.refused_message or KEY_KEEPS_ANSWER)
    # Ours, a retry of one that died midway, or one running now: Razorpay's key makes it once.
    try:
        created = await _create(billing, ask, request)
    except GatewayRejected as error:
        return await _keep_refusal(request, error)
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    refund = await record_refund(
        created,
        payment=payment,
        reason=ask.reason,
        requested_by=ask.requested_by,
        now=billing.now(),
    )
    await request.set({"razorpay_refund_id": created.id})
    return refund


async def _keep_refusal(request: RefundRequest, error: GatewayRejected) -> Problem:
    """Razorpay's refusal becomes the key's outcome, answered again to the same request."""
    problem = _refusal(error)
    kept = Problem(problem.code, f"{problem.message} {KEY_KEEPS_ANSWER}")
    await request.set({"refused_code": kept.code, "refused_message": kept.message})
    return kept


def _refusal(error: GatewayRejected) -> Problem:
    if isinstance(error, RefundExceedsCaptured):
        return outcomes.REFUND_EXCEEDS_CAPTURED
    if isinstance(error, AlreadyFullyRefunded):  # refunded elsewhere (the Dashboard) meanwhile
        return outcomes.REFUNDED_IN_FULL
    if isinstance(error, IdempotencyKeyReused):
        return outcomes.IDEMPOTENCY_KEY_REUSED
    return outcomes.gateway_rejected(error.message)


async def _create(billing: Billing, ask: RefundAsk, request: RefundRequest) -> RazorpayRefund:
    notes = {
        "requested_by": ask.requested_by,
        **({"reason": ask.reason[:250]} if ask.reason else {}),
    }
    return await billing.gateway.create_refund(
        ask.payment_id,
        idempotency_key=request.id,
        amount_paise=request.amount,
        speed=ask.speed,
        notes=notes,
    )


async def record_refund(
    refund: RazorpayRefund,
    *,
    payment: Payment,
    reason: str | None,
    requested_by: str | None,
    now: datetime,
) -> Refund:
    """Stored once under its Razorpay id; only a final status (processed/failed) updates it."""
    status = refund.status or RefundStatus.PENDING
    document = Refund(
        id=refund.id,
        payment_id=payment.id,
        user_id=payment.user_id,
        amount=refund.amount,
        currency=refund.currency,
        status=status,
        speed_requested=refund.speed_requested,
        reason=reason,
        requested_by=requested_by,
        created_at=refund.created_at or now,
        updated_at=now,
    )
    try:
        await document.insert()
        metrics.refund(status.value)
        return document
    except DuplicateKeyError:
        stored = await Refund.get(refund.id)
    assert stored is not None
    changes: dict[str, object] = {}
    if status.is_final and not stored.status.is_final:
        changes.update(status=status, updated_at=now)
        metrics.refund(status.value)
    if requested_by and stored.requested_by is None:
        # The webhook stored it first; the mutation adds who asked and why.
        changes.update(requested_by=requested_by, reason=reason)
    if changes:
        await stored.set(changes)
    return stored
