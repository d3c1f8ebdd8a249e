"""`decideRefundRequest`: staff approve (a refund through `refundPayment`'s path) or reject,
once. The `RefundDecision` insert is the claim and the audit record of who decided what."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from pymongo.errors import DuplicateKeyError

from api.billing import outcomes
from api.billing.credits.clawback import shortfall_refusal
from api.billing.deps import Billing
from api.billing.outcomes import MIN_REFUND_PAISE, Problem
from api.billing.refund_requests.listing import failure_of
from api.billing.refunds import KEY_KEEPS_ANSWER, RefundAsk, refund_payment, refusal_or_amount
from api.billing.revocation import RevokeIncomplete
from api.documents import Payment, Refund, RefundDecision, RefundRequest, UserRefundRequest
from api.documents.refund_requests import closed_key
from api.statuses import PaymentStatus, RefundRequestStatus

log = structlog.get_logger("refund_requests")


@dataclass(frozen=True)
class Decision:
    request_id: str
    approve: bool
    amount: int | None  # None: whatever remains
    revoke_access: bool
    note: str | None
    decided_by: str
    allow_credit_shortfall: bool = False  # a credit pack's payment: as `refundPayment`'s


@dataclass(frozen=True)
class Decided:
    request: UserRefundRequest
    unfinished: RevokeIncomplete | None = None  # refunded, but access not yet revoked


async def decide(billing: Billing, decision: Decision) -> Decided | Problem:
    request = await UserRefundRequest.get(decision.request_id)
    if request is None:
        return outcomes.not_found("refund request")
    taken = await RefundDecision.get(request.id)
    if taken is None:
        refused = (
            await _refused_before_claim(billing, request, decision) if decision.approve else None
        )
        if refused is not None:
            return refused
        taken = await _claim(billing, decision)
    if not _same(taken, decision):
        return outcomes.REFUND_REQUEST_DECIDED
    # Ours, or the same decision again (a retry, a second click): carried out once.
    if not taken.approve:
        return Decided(await _close(billing, request, taken, RefundRequestStatus.REJECTED))
    failed = failure_of(request)
    if failed is not None and not await refunded_under(request):
        return failed  # final: answered again without asking Razorpay
    return await _approve(billing, request, taken)


def _same(taken: RefundDecision, decision: Decision) -> bool:
    return (
        taken.approve,
        taken.amount,
        taken.revoke_access,
        taken.allow_credit_shortfall,
    ) == (
        decision.approve,
        decision.amount,
        decision.revoke_access,
        decision.allow_credit_shortfall,
    )


def _ask(request: UserRefundRequest, taken: RefundDecision | Decision) -> RefundAsk:
    return RefundAsk(
        payment_id=request.payment_id,
        amount=taken.amount,
        reason=request.reason[:250],
        speed="normal",
        revoke_access=taken.revoke_access,
        requested_by=taken.decided_by,
        idempotency_key=refund_key(request),
        allow_credit_shortfall=taken.allow_credit_shortfall,
    )


async def _refused_before_claim(
    billing: Billing, request: UserRefundRequest, decision: Decision
) -> Problem | None:
    """`refundPayment`'s own checks, made before the decision is claimed, so that a refusal
    (CREDITS_ALREADY_SPENT too) leaves the request open to another decision."""
    if decision.amount is not None and decision.amount < MIN_REFUND_PAISE:
        return outcomes.INVALID_AMOUNT
    payment = await Payment.get(request.payment_id)
    if payment is None or payment.status is not PaymentStatus.CAPTURED:
        return outcomes.not_found("payment")
    amount = await refusal_or_amount(_ask(request, decision), payment)
    if isinstance(amount, Problem):
        return amount
    allowed = decision.allow_credit_shortfall
    return await shortfall_refusal(payment, amount, allowed=allowed, now=billing.now())


async def _claim(billing: Billing, decision: Decision) -> RefundDecision:
    """This decision, or the one another staff member inserted first."""
    claim = RefundDecision(
        id=decision.request_id,
        approve=decision.approve,
        amount=decision.amount,
        revoke_access=decision.revoke_access,
        note=decision.note,
        decided_by=decision.decided_by,
        at=billing.now(),
        allow_credit_shortfall=decision.allow_credit_shortfall,
    )
    try:
        await claim.insert()
    except DuplicateKeyError:
        winner = await RefundDecision.get(decision.request_id)
        assert winner is not None
        return winner
    log.info("refund_request_decided", request=claim.id, approve=claim.approve, by=claim.decided_by)
    return claim


async def _approve(
    billing: Billing, request: UserRefundRequest, taken: RefundDecision
) -> Decided | Problem:
    outcome = await refund_payment(billing, _ask(request, taken))
    if isinstance(outcome, Problem):
        return await _refused(billing, request, taken, outcome)
    return await _approved(billing, request, taken, outcome)


async def _approved(
    billing: Billing,
    request: UserRefundRequest,
    taken: RefundDecision,
    outcome: Refund | RevokeIncomplete,
) -> Decided:
    refund = outcome.refund if isinstance(outcome, RevokeIncomplete) else outcome
    closed = await _close(
        billing, request, taken, RefundRequestStatus.APPROVED, refund_id=refund.id
    )
    return Decided(closed, outcome if isinstance(outcome, RevokeIncomplete) else None)


async def _refused(
    billing: Billing, request: UserRefundRequest, taken: RefundDecision, problem: Problem
) -> Decided | Problem:
    if problem.retryable:
        # Razorpay unavailable, say: the decision stands and the request stays open, so the
        # same decision again finishes it.
        return problem
    # For good (a kept refusal is answered again under the key): the request closes FAILED,
    # or its approval could neither be carried out nor replaced by another decision.
    await _close(billing, request, taken, RefundRequestStatus.FAILED, failure=problem)
    # Written, then looked at again: a concurrent call of this same decision may have been
    # refunded while this one was refused. Its refund wins, whichever close lands last.
    if not await refunded_under(request):
        return problem
    outcome = await refund_payment(billing, _ask(request, taken))
    if isinstance(outcome, Problem):
        return problem
    return await _approved(billing, request, taken, outcome)


async def refunded_under(request: UserRefundRequest) -> bool:
    """Whether Razorpay made a refund under this request's key (whatever was answered)."""
    key = await RefundRequest.get(refund_key(request))
    return key is not None and key.razorpay_refund_id is not None


def refund_key(request: UserRefundRequest) -> str:
    return f"refund-request-{request.id}"


def _failure_text(problem: Problem) -> str:
    """The refusal as the user and the queue read it: the key's advice is for staff calling
    `refundPayment` (and the same on every call, so every writer stores the same text)."""
    return problem.message.removesuffix(f" {KEY_KEEPS_ANSWER}")


async def _close(
    billing: Billing,
    request: UserRefundRequest,
    taken: RefundDecision,
    status: RefundRequestStatus,
    *,
    refund_id: str | None = None,
    failure: Problem | None = None,
) -> UserRefundRequest:
    if request.status is status:
        return request  # closed by an earlier call of the same decision
    # Follows the claim: every writer writes the same values (all of them, so an APPROVED close
    # replaces a raced FAILED one whole). Freeing `open_key` lets the user ask again (after a
    # rejection or a failure, or for what an approved partial refund left).
    await request.set(
        {
            "status": status,
            "open_key": closed_key(request.id),
            "decided_at": taken.at,
            "decided_by": taken.decided_by,
            "note": taken.note,
            "refund_id": refund_id,
            "access_revoked": taken.revoke_access if taken.approve else None,
            "failure_code": None if failure is None else failure.code.value,
            "failure_message": None if failure is None else _failure_text(failure),
        }
    )
    return request
