"""`refundPayment`, for staff: full or partial, once per key, optionally revoking access.

The request is claimed under its idempotency key before Razorpay is called, and the same key goes
to Razorpay as `X-Refund-Idempotency`, so a retry returns the first refund instead of a second
one, and finishes what the first left undone (recording it, revoking access). A key names one
request: reused for another payment, amount or access choice, it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog
from pymongo.errors import DuplicateKeyError

from api.billing import outcomes, subscription_state
from api.billing.deps import Billing
from api.billing.lifecycle import ACCESS_REVOKED, TERMINAL
from api.billing.outcomes import Problem
from api.billing.payments import refunded_amount
from api.billing.subscriptions import observe_snapshot
from api.documents import Payment, Refund, RefundRequest, Subscription, SubscriptionObservation
from api.gateway.client import RefundSpeed
from api.gateway.entities import RazorpayRefund
from api.gateway.errors import GatewayCallError, IdempotencyKeyReused, RefundExceedsCaptured

log = structlog.get_logger("billing.refunds")


@dataclass(frozen=True)
class RefundAsk:
    payment_id: str
    amount: int | None  # None: whatever remains
    reason: str | None
    speed: RefundSpeed
    revoke_access: bool
    requested_by: str
    idempotency_key: str


async def refund_payment(billing: Billing, ask: RefundAsk) -> Refund | Problem:
    payment = await Payment.get(ask.payment_id)
    if payment is None or payment.status != "captured":
        return outcomes.not_found("payment")
    request = await RefundRequest.get(ask.idempotency_key) or await _claim(billing, ask, payment)
    if isinstance(request, Problem):
        return request
    if not _same_request(request, ask):
        return outcomes.IDEMPOTENCY_KEY_REUSED
    refund = await _refund_once(billing, ask, request, payment)
    if isinstance(refund, Problem):
        return refund
    if request.revoke_access:
        # On every retry too: the first attempt may have died between refunding and revoking.
        await _revoke_for(billing, payment, cause=request.id)
    return refund


def _same_request(request: RefundRequest, ask: RefundAsk) -> bool:
    return (request.payment_id, request.requested_amount, request.revoke_access) == (
        ask.payment_id,
        ask.amount,
        ask.revoke_access,
    )


async def _amount(ask: RefundAsk, payment: Payment) -> int | Problem:
    remaining = payment.amount - await refunded_amount(payment.id)
    amount = remaining if ask.amount is None else ask.amount
    if amount <= 0 and ask.amount is not None:
        return outcomes.INVALID_AMOUNT
    if amount <= 0 or amount > remaining:
        return outcomes.REFUND_EXCEEDS_CAPTURED
    return amount


async def _claim(billing: Billing, ask: RefundAsk, payment: Payment) -> RefundRequest | Problem:
    """This request's claim on its key; or, when another got there first, theirs."""
    amount = await _amount(ask, payment)
    if isinstance(amount, Problem):
        return amount
    request = RefundRequest(
        id=ask.idempotency_key,
        payment_id=ask.payment_id,
        amount=amount,
        requested_amount=ask.amount,
        revoke_access=ask.revoke_access,
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
        done = await Refund.get(request.razorpay_refund_id)
        if done is not None:
            return done
    # Ours, a retry of one that died midway, or one running now: Razorpay's key makes it once.
    try:
        created = await _create(billing, ask, request)
    except GatewayCallError as error:
        if isinstance(error, RefundExceedsCaptured):
            return outcomes.REFUND_EXCEEDS_CAPTURED
        if isinstance(error, IdempotencyKeyReused):
            return outcomes.IDEMPOTENCY_KEY_REUSED
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


async def _revoke_for(billing: Billing, payment: Payment, *, cause: str) -> None:
    if payment.razorpay_subscription_id is None:
        log.error("revoke_without_subscription", payment=payment.id, cause=cause)
        return
    await revoke_access(billing, payment.razorpay_subscription_id, cause=cause)


async def record_refund(
    refund: RazorpayRefund,
    *,
    payment: Payment,
    reason: str | None,
    requested_by: str | None,
    now: datetime,
) -> Refund:
    """Stored once under its Razorpay id; only a final status (processed/failed) updates it."""
    status = refund.status or "pending"
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
        return document
    except DuplicateKeyError:
        stored = await Refund.get(refund.id)
    assert stored is not None
    changes: dict[str, object] = {}
    if status != "pending" and stored.status == "pending":
        changes.update(status=status, updated_at=now)
    if requested_by and stored.requested_by is None:
        # The webhook stored it first; the mutation adds who asked and why.
        changes.update(requested_by=requested_by, reason=reason)
    if changes:
        await stored.set(changes)
    return stored


async def revoke_access(
    billing: Billing, razorpay_subscription_id: str, *, cause: str
) -> Subscription | None:
    """End access now and stop Razorpay charging again; the revoke outranks any late grant."""
    await subscription_state.record(
        SubscriptionObservation(
            id=f"revoke:{cause}",
            razorpay_subscription_id=razorpay_subscription_id,
            event=ACCESS_REVOKED,
            observed_at=billing.now(),
            source=f"mutation:refundPayment:{cause}",
        )
    )
    subscription = await subscription_state.refresh(
        razorpay_subscription_id, grace=billing.grace, now=billing.now()
    )
    if subscription is None or subscription.status in TERMINAL:
        return subscription  # Razorpay will not charge it again: nothing to cancel
    return await _stop_charging(billing, subscription, cause=cause)


async def _stop_charging(
    billing: Billing, subscription: Subscription, *, cause: str
) -> Subscription | None:
    razorpay_subscription_id = subscription.razorpay_subscription_id
    try:
        snapshot = await billing.gateway.cancel_subscription(
            razorpay_subscription_id, at_cycle_end=False
        )
    except GatewayCallError as error:
        # Access is revoked either way, and a later charge cannot restore it; but Razorpay may
        # still charge. A retry of the refund, or the user's next upgrade, cancels it again.
        log.error(
            "revoke_cancel_failed", subscription=razorpay_subscription_id, error=error.message
        )
        return subscription
    return await observe_snapshot(
        billing,
        snapshot,
        observation_id=f"revoke-cancel:{cause}",
        source=f"mutation:refundPayment:{cause}",
    )
