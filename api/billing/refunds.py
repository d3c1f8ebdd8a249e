"""`refundPayment`, for staff: full or partial, once per key, optionally revoking access.

The request is claimed under its idempotency key before Razorpay is called, and the same key goes
to Razorpay as `X-Refund-Idempotency`, so a retry returns the first refund instead of a second one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog
from pymongo.errors import DuplicateKeyError

from api.billing import outcomes, subscription_state
from api.billing.deps import Billing
from api.billing.lifecycle import ACCESS_REVOKED
from api.billing.outcomes import Problem
from api.billing.payments import refunded_amount
from api.billing.subscriptions import observe_snapshot
from api.documents import Payment, Refund, RefundRequest, Subscription, SubscriptionObservation
from api.gateway.client import RefundSpeed
from api.gateway.entities import RazorpayRefund
from api.gateway.errors import GatewayCallError, RefundExceedsCaptured

log = structlog.get_logger("billing.refunds")


@dataclass(frozen=True)
class RefundAsk:
    payment_id: str
    amount: int | None  # None: whatever remains
    reason: str | None
    speed: RefundSpeed
    revoke_access: bool
    requested_by: str
    idempotency_key: str | None = None


async def refund_payment(billing: Billing, ask: RefundAsk) -> Refund | Problem:
    payment = await Payment.get(ask.payment_id)
    if payment is None or payment.status == "failed":
        return outcomes.not_found("payment")
    remaining = payment.amount - await refunded_amount(payment.id)
    amount = remaining if ask.amount is None else ask.amount
    if amount <= 0 and ask.amount is not None:
        return outcomes.INVALID_AMOUNT
    if amount <= 0 or amount > remaining:
        return outcomes.REFUND_EXCEEDS_CAPTURED
    key = ask.idempotency_key or f"refund_{uuid.uuid4().hex}"
    existing = await _claim(billing, ask, key, amount)
    if existing is not None:
        return existing
    try:
        created = await _create(billing, ask, key, amount)
    except GatewayCallError as error:
        if isinstance(error, RefundExceedsCaptured):
            return outcomes.REFUND_EXCEEDS_CAPTURED
        return outcomes.from_gateway(error)
    refund = await record_refund(
        created,
        payment=payment,
        reason=ask.reason,
        requested_by=ask.requested_by,
        now=billing.now(),
    )
    await RefundRequest.find_one(RefundRequest.id == key).set({"razorpay_refund_id": created.id})
    if ask.revoke_access and payment.razorpay_subscription_id:
        await revoke_access(billing, payment.razorpay_subscription_id, cause=key)
    return refund


async def _claim(billing: Billing, ask: RefundAsk, key: str, amount: int) -> Refund | None:
    """None when this request owns the key; the refund already made when it was a retry."""
    request = RefundRequest(
        id=key,
        payment_id=ask.payment_id,
        amount=amount,
        requested_by=ask.requested_by,
        created_at=billing.now(),
    )
    try:
        await request.insert()
    except DuplicateKeyError:
        earlier = await RefundRequest.get(key)
        if earlier and earlier.razorpay_refund_id:
            return await Refund.get(earlier.razorpay_refund_id)
    return None  # ours, or a retry of one that died midway: Razorpay's key makes resending safe


async def _create(billing: Billing, ask: RefundAsk, key: str, amount: int) -> RazorpayRefund:
    notes = {
        "requested_by": ask.requested_by,
        **({"reason": ask.reason[:250]} if ask.reason else {}),
    }
    return await billing.gateway.create_refund(
        ask.payment_id, idempotency_key=key, amount_paise=amount, speed=ask.speed, notes=notes
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
    try:
        snapshot = await billing.gateway.cancel_subscription(
            razorpay_subscription_id, at_cycle_end=False
        )
    except GatewayCallError as error:
        # Access is revoked either way, and a later charge cannot restore it; but Razorpay may
        # still charge, so this must be seen and the cancel repeated.
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
