"""Payments and their refunds as the schema shows them.

Their owner and staff see them; the internals behind `payment:audit` (who refunded, an amount that
differs from the plan's) are for staff.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.documents import Payment, Refund, UserRefundRequest
from api.graphql.guards import guard
from api.graphql.money import Money, money
from api.graphql.refund_request_types import RefundRequestType, refund_request_type
from api.statuses import PaymentStatus, RefundStatus


@strawberry.type(name="Refund")
class RefundType:
    id: strawberry.ID
    amount: Money
    status: str = strawberry.field(description="pending, processed or failed.")
    speed: str | None
    reason: str | None
    created_at: datetime
    requested_by: str | None = strawberry.field(
        description="Staff: who asked for the refund (their token subject).",
        extensions=[guard("payment", "audit")],
    )


@strawberry.type(name="Payment")
class PaymentType:
    id: strawberry.ID
    amount: Money
    refunded: Money
    status: str = strawberry.field(description="captured, refunded, partially_refunded or failed.")
    method: str | None
    card_last4: str | None
    card_network: str | None
    subscription_id: str | None
    invoice_id: str | None
    order_id: str | None = strawberry.field(description="A credit pack's Razorpay order.")
    pack: str | None = strawberry.field(description="The credit pack this payment bought.")
    credits: int | None = strawberry.field(description="The credits of that pack.")
    amount_flagged: bool | None = strawberry.field(
        description="Staff: the amount differs from the plan's or the credit pack's price.",
        extensions=[guard("payment", "audit")],
    )
    failure_reason: str | None
    created_at: datetime
    refunds: list[RefundType]
    refund_requests: list[RefundRequestType] = strawberry.field(
        description="The owner's refund requests for this payment, newest first."
    )


def refund_type(refund: Refund) -> RefundType:
    return RefundType(
        id=strawberry.ID(refund.id),
        amount=money(refund.amount, refund.currency),
        status=refund.status,
        speed=refund.speed_requested,
        reason=refund.reason,
        created_at=refund.created_at,
        requested_by=refund.requested_by,
    )


def payment_type(
    payment: Payment, refunds: list[Refund], requests: list[UserRefundRequest]
) -> PaymentType:
    refunded = sum(r.amount for r in refunds if r.status is not RefundStatus.FAILED)
    return PaymentType(
        id=strawberry.ID(payment.id),
        amount=money(payment.amount, payment.currency),
        refunded=money(refunded, payment.currency),
        status=_status(payment, refunded),
        method=payment.method,
        card_last4=payment.card_last4,
        card_network=payment.card_network,
        subscription_id=payment.razorpay_subscription_id,
        invoice_id=payment.razorpay_invoice_id,
        order_id=payment.razorpay_order_id,
        pack=payment.pack_code,
        credits=payment.credits,
        amount_flagged=payment.amount_mismatch,
        failure_reason=payment.error_description,
        created_at=payment.created_at,
        refunds=[refund_type(r) for r in refunds],
        refund_requests=[refund_request_type(r) for r in requests],
    )


def _status(payment: Payment, refunded: int) -> PaymentStatus:
    if payment.status is PaymentStatus.FAILED or refunded == 0:
        return payment.status
    if refunded >= payment.amount:
        return PaymentStatus.REFUNDED
    return PaymentStatus.PARTIALLY_REFUNDED


@strawberry.type
class PaymentEdge:
    cursor: str
    node: PaymentType


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class PaymentConnection:
    edges: list[PaymentEdge]
    page_info: PageInfo
