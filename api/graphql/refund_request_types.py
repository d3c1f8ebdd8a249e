"""Refund requests as the schema shows them: to their owner (on their payments) and to staff."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.billing.refund_requests import failure_of
from api.documents import UserRefundRequest
from api.graphql.enums import FailureCode, RefundRequestStatus
from api.graphql.guards import guard
from api.graphql.money import Money, money


@strawberry.type(
    description="Why Razorpay refused an approved request's refund, for good: nothing was"
    " refunded under it."
)
class RefundRequestFailure:
    code: FailureCode
    message: str


@strawberry.type(
    name="RefundRequest",
    description="A user's request that staff refund one of their payments.",
)
class RefundRequestType:
    id: strawberry.ID
    payment_id: str
    user_id: strawberry.ID
    payment_amount: Money
    reason: str
    status: RefundRequestStatus
    created_at: datetime
    decided_at: datetime | None
    note: str | None = strawberry.field(description="Staff's note with the decision.")
    refund_id: str | None = strawberry.field(description="The refund, once approved.")
    access_revoked: bool | None = strawberry.field(
        description="Once approved: whether Pro access was revoked with the refund."
    )
    failure: RefundRequestFailure | None = strawberry.field(
        description="Once FAILED: why the approved refund could not be made."
    )
    decided_by: str | None = strawberry.field(
        description="Staff: who decided (their token subject).",
        extensions=[guard("payment", "audit")],
    )


def refund_request_type(request: UserRefundRequest) -> RefundRequestType:
    return RefundRequestType(
        id=strawberry.ID(request.id),
        payment_id=request.payment_id,
        user_id=strawberry.ID(str(request.user_id)),
        payment_amount=money(request.amount, request.currency),
        reason=request.reason,
        status=request.status,
        created_at=request.created_at,
        decided_at=request.decided_at,
        note=request.note,
        refund_id=request.refund_id,
        access_revoked=request.access_revoked,
        failure=_failure(request),
        decided_by=request.decided_by,
    )


def _failure(request: UserRefundRequest) -> RefundRequestFailure | None:
    problem = failure_of(request)
    if problem is None:
        return None
    return RefundRequestFailure(code=problem.code, message=problem.message)


@strawberry.type
class RefundRequestEdge:
    cursor: str
    node: RefundRequestType
