"""`requestRefund`: the payment's owner asks, once per payment while a request is open."""

from __future__ import annotations

import uuid

from pymongo.errors import DuplicateKeyError

from api.billing import outcomes
from api.billing.deps import Billing
from api.billing.outcomes import MIN_REFUND_PAISE, Problem
from api.billing.payments import refunded_amount
from api.documents import Payment, User, UserRefundRequest
from api.documents.refund_requests import open_key
from api.statuses import PaymentStatus


async def request_refund(
    billing: Billing, user: User, payment_id: str, reason: str
) -> UserRefundRequest | Problem:
    payment = await Payment.get(payment_id)
    if payment is None or payment.user_id != user.id:
        # Another user's payment is not found, the same as one that does not exist.
        return outcomes.not_found("payment")
    if payment.status is not PaymentStatus.CAPTURED:
        return outcomes.NOT_PAID
    if payment.amount - await refunded_amount(payment.id) < MIN_REFUND_PAISE:
        return outcomes.NOTHING_TO_REFUND
    request = UserRefundRequest(
        id=uuid.uuid4().hex,
        open_key=open_key(payment.id),
        payment_id=payment.id,
        user_id=payment.user_id,
        amount=payment.amount,
        currency=payment.currency,
        reason=reason,
        created_at=billing.now(),
    )
    try:
        await request.insert()
    except DuplicateKeyError:
        return outcomes.REFUND_REQUEST_OPEN
    return request
