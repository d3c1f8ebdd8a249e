"""What `refundPayment` answers: the refund; the refund with its revoking unfinished; a Failure."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.billing import revocation
from api.billing.outcomes import Problem
from api.documents import Refund
from api.graphql.enums import Unfinished
from api.graphql.failures import Failure, failure
from api.graphql.payments import RefundType, refund_type


@strawberry.type(
    description=(
        "The refund was made (`refund`: the money moved), but revoking access is not finished"
        " (`unfinished`). Do not refund again under a new key: send the same request with the"
        " same `idempotencyKey`, which finishes it and does not refund twice."
    )
)
class RevokeIncomplete:
    refund: RefundType
    unfinished: Unfinished
    message: str
    retryable: bool = strawberry.field(
        description="Whether sending the same request again, with the same key, can finish it."
    )


RefundResult = Annotated[RefundType | RevokeIncomplete | Failure, strawberry.union("RefundResult")]


def refund_result(
    outcome: Refund | revocation.RevokeIncomplete | Problem,
) -> RefundType | RevokeIncomplete | Failure:
    if isinstance(outcome, Problem):
        return failure(outcome)
    if isinstance(outcome, revocation.RevokeIncomplete):
        return RevokeIncomplete(
            refund=refund_type(outcome.refund),
            unfinished=outcome.unfinished,
            message=outcome.message,
            retryable=outcome.retryable,
        )
    return refund_type(outcome)
