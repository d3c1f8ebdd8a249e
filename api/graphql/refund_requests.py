"""requestRefund (the payment's owner), refundRequests and decideRefundRequest (staff)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.billing.outcomes import MIN_REFUND_PAISE, Problem
from api.billing.payment_history import MAX_PAGE, InvalidCursor
from api.billing.refund_requests import Decided, Decision, decide, queue, request_refund
from api.billing.refund_requests.listing import encode_cursor
from api.graphql.arguments import RAZORPAY_ID
from api.graphql.billing_context import billing_of, signed_in_user
from api.graphql.billing_mutations import RefundAccess
from api.graphql.context import Info
from api.graphql.enums import RefundRequestStatus
from api.graphql.errors import bad_input
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.payments import PageInfo
from api.graphql.refund_request_types import (
    RefundRequestEdge,
    RefundRequestType,
    refund_request_type,
)
from api.graphql.refund_results import RevokeIncomplete, refund_result
from api.ratelimit import Budget

MAX_TEXT = 500

RequestRefundResult = Annotated[
    RefundRequestType | Failure, strawberry.union("RequestRefundResult")
]
DecideRefundResult = Annotated[
    RefundRequestType | RevokeIncomplete | Failure, strawberry.union("DecideRefundResult")
]


@strawberry.type
class RefundRequestConnection:
    edges: list[RefundRequestEdge]
    page_info: PageInfo


def _text(value: str | None, argument: str, *, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise bad_input(f"`{argument}` must not be empty.", argument=argument)
    if len(text) > MAX_TEXT:
        raise bad_input(f"`{argument}` is at most {MAX_TEXT} characters.", argument=argument)
    return text or None


@strawberry.type
class RefundRequestQuery:
    @strawberry.field(
        description=(
            f"Staff: refund requests, newest first, `OPEN` ones unless `status` says otherwise"
            f" (null: all); `first` at most {MAX_PAGE}."
        ),
        extensions=[guard("refund_request", "read_any")],
    )
    async def refund_requests(
        self,
        status: RefundRequestStatus | None = RefundRequestStatus.OPEN,
        first: int = 20,
        after: str | None = None,
    ) -> RefundRequestConnection:
        if not 1 <= first <= MAX_PAGE:
            raise bad_input(f"`first` must be between 1 and {MAX_PAGE}.", argument="first")
        try:
            page = await queue(status, first=first, after=after)
        except InvalidCursor as error:
            raise bad_input(str(error), argument="after") from error
        edges = [
            RefundRequestEdge(cursor=encode_cursor(r), node=refund_request_type(r))
            for r in page.requests
        ]
        end = edges[-1].cursor if edges else None
        return RefundRequestConnection(
            edges=edges, page_info=PageInfo(has_next_page=page.has_next, end_cursor=end)
        )


@strawberry.type
class RefundRequestMutation:
    @strawberry.mutation(
        description=(
            "Ask staff to refund one of your captured payments. One request per payment while"
            " it is open (REFUND_REQUEST_OPEN); after a decision you may ask again. Another"
            " user's payment is NOT_FOUND; one not captured is NOT_PAID."
        ),
        extensions=[guard("refund_request", "create", limit=Budget.REQUEST_REFUND)],
    )
    async def request_refund(self, info: Info, payment_id: str, reason: str) -> RequestRefundResult:
        user = await signed_in_user(info)
        if not RAZORPAY_ID.fullmatch(payment_id):
            raise bad_input("`paymentId` is not a Razorpay id.", argument="paymentId")
        text = _text(reason, "reason", required=True)
        assert text is not None
        outcome = await request_refund(billing_of(info), user, payment_id, text)
        return failure(outcome) if isinstance(outcome, Problem) else refund_request_type(outcome)

    @strawberry.mutation(
        description=(
            "Staff: decide a refund request, once. Approving refunds the payment as"
            f" `refundPayment` does (`amount` at least {MIN_REFUND_PAISE} paise, or null:"
            " whatever remains; `access` KEEP or REVOKE_NOW); rejecting needs a `note` for the"
            " user. Sending the same decision again returns it (finishing what a failed attempt"
            " left undone, never refunding twice); a different one is REFUND_REQUEST_DECIDED."
            " An approval Razorpay refuses for good closes the request FAILED with the refusal"
            " (returned; the user may ask again); one it could not reach (retryable) leaves it"
            " open."
        ),
        extensions=[guard("refund_request", "decide", limit=Budget.REFUND_PAYMENT)],
    )
    async def decide_refund_request(
        self,
        info: Info,
        id: strawberry.ID,
        approve: bool,
        amount: int | None = None,
        access: RefundAccess = RefundAccess.KEEP,
        note: str | None = None,
        allow_credit_shortfall: Annotated[
            bool,
            strawberry.argument(
                description=(
                    "Approving a credit pack's payment: refund even when the user has spent"
                    " credits the refund takes back, as `refundPayment`'s. Otherwise"
                    " CREDITS_ALREADY_SPENT, and the request stays open."
                )
            ),
        ] = False,
    ) -> DecideRefundResult:
        principal = info.context.principal
        assert principal is not None, "refund_request:decide is never granted to anonymous"
        decision = Decision(
            request_id=str(id)[:64],
            approve=approve,
            amount=amount if approve else None,
            revoke_access=approve and access is RefundAccess.REVOKE_NOW,
            note=_text(note, "note", required=not approve),
            decided_by=principal.subject,
            allow_credit_shortfall=approve and allow_credit_shortfall,
        )
        return _decided(await decide(billing_of(info), decision))


def _decided(outcome: Decided | Problem) -> RefundRequestType | RevokeIncomplete | Failure:
    if isinstance(outcome, Problem):
        return failure(outcome)
    if outcome.unfinished is not None:
        unfinished = refund_result(outcome.unfinished)
        assert isinstance(unfinished, RevokeIncomplete)
        return unfinished
    return refund_request_type(outcome.request)
