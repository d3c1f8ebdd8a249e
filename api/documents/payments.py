"""Payments and refunds, each stored once under its Razorpay id.

Card data is limited to last4 and network. A payment's refunded amount is not stored: it is the
sum of its refunds, so two refund events racing cannot leave a wrong total behind.
"""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel

from api.statuses import PaymentStatus, RefundStatus


class Payment(Document):
    id: str  # type: ignore[assignment]  # the Razorpay payment id
    user_id: PydanticObjectId
    razorpay_subscription_id: str | None = None
    razorpay_invoice_id: str | None = None
    razorpay_order_id: str | None = None  # a credit pack's order
    pack_code: str | None = None
    credits: int | None = None
    amount: int
    currency: str
    status: PaymentStatus  # stored: captured (refunded or not) or failed
    method: str | None = None
    card_last4: str | None = None
    card_network: str | None = None
    error_code: str | None = None
    error_description: str | None = None
    expected_amount: int | None = None
    amount_mismatch: bool = False
    created_at: datetime
    recorded_at: datetime
    source: str

    class Settings:
        name = "payments"
        indexes = [
            IndexModel(
                [("user_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="user_history",
            ),
        ]


class Refund(Document):
    id: str  # type: ignore[assignment]  # the Razorpay refund id
    payment_id: str
    user_id: PydanticObjectId
    amount: int
    currency: str
    status: RefundStatus
    speed_requested: str | None = None
    reason: str | None = None
    requested_by: str | None = None
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "refunds"
        indexes = [IndexModel([("payment_id", ASCENDING)], name="payment")]


class RefundRequest(Document):
    """A staff refund request, claimed once per idempotency key before Razorpay is called."""

    id: str  # type: ignore[assignment]  # the idempotency key, also sent as X-Refund-Idempotency
    payment_id: str
    amount: int | None  # what is sent to Razorpay, on every retry under this key
    requested_amount: int | None = None  # what staff asked for (None: whatever remained)
    revoke_access: bool = False
    allow_credit_shortfall: bool = False
    requested_by: str
    razorpay_refund_id: str | None = None
    # Razorpay's refusal, kept as the key's outcome: answered again, never re-sent under the key.
    refused_code: str | None = None
    refused_message: str | None = None
    created_at: datetime

    class Settings:
        name = "refund_requests"
