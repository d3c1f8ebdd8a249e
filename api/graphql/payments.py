"""`paymentHistory`: the viewer's payments, newest first, with their refunds."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.billing.payments import MAX_PAGE, InvalidCursor, encode_cursor, history
from api.documents import Payment, Refund
from api.graphql.billing_context import signed_in_user
from api.graphql.context import Info
from api.graphql.errors import bad_input
from api.graphql.money import Money, money
from api.graphql.permissions import IsAuthenticated


@strawberry.type(name="Refund")
class RefundType:
    id: strawberry.ID
    amount: Money
    status: str = strawberry.field(description="pending, processed or failed.")
    speed: str | None
    reason: str | None
    created_at: datetime


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
    amount_flagged: bool = strawberry.field(description="The amount differs from the plan's price.")
    failure_reason: str | None
    created_at: datetime
    refunds: list[RefundType]


def refund_type(refund: Refund) -> RefundType:
    return RefundType(
        id=strawberry.ID(refund.id),
        amount=money(refund.amount, refund.currency),
        status=refund.status,
        speed=refund.speed_requested,
        reason=refund.reason,
        created_at=refund.created_at,
    )


def payment_type(payment: Payment, refunds: list[Refund]) -> PaymentType:
    refunded = sum(r.amount for r in refunds if r.status != "failed")
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
        amount_flagged=payment.amount_mismatch,
        failure_reason=payment.error_description,
        created_at=payment.created_at,
        refunds=[refund_type(r) for r in refunds],
    )


def _status(payment: Payment, refunded: int) -> str:
    if payment.status == "failed" or refunded == 0:
        return payment.status
    return "refunded" if refunded >= payment.amount else "partially_refunded"


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


@strawberry.type
class PaymentQuery:
    @strawberry.field(
        description=f"The viewer's payments, newest first; `first` at most {MAX_PAGE}.",
        permission_classes=[IsAuthenticated],
    )
    async def payment_history(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> PaymentConnection:
        if not 1 <= first <= MAX_PAGE:
            raise bad_input(f"`first` must be between 1 and {MAX_PAGE}.", argument="first")
        user = await signed_in_user(info)
        assert user.id is not None
        try:
            page = await history(user.id, first=first, after=after)
        except InvalidCursor as error:
            raise bad_input(str(error), argument="after") from error
        edges = [
            PaymentEdge(cursor=encode_cursor(p), node=payment_type(p, page.refunds.get(p.id, [])))
            for p in page.payments
        ]
        end = edges[-1].cursor if edges else None
        return PaymentConnection(
            edges=edges, page_info=PageInfo(has_next_page=page.has_next, end_cursor=end)
        )
