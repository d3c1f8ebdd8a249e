"""Refund requests: a user asks staff to refund one of their captured payments; staff approve
(refunding through `api.billing.refunds`, the path of `refundPayment`) or reject with a note.

Two claims make it safe where FerretDB's conditional updates are not atomic: a request's unique
`open_key` (`open:<payment id>`) keeps one open per payment, and a decision is the insert of a
`RefundDecision` keyed by the request's id, so of two staff deciding at once one decides. An
approval refunds under the key `refund-request-<request id>`, so a retry of that same decision
(after a crash, a timeout) finishes it and never refunds twice. When Razorpay refuses that
refund for good, the request closes FAILED with the refusal (freeing its payment for a new
request); a retryable failure leaves it open to the same decision.
"""

from api.billing.refund_requests.asking import request_refund
from api.billing.refund_requests.deciding import Decided, Decision, decide
from api.billing.refund_requests.listing import RequestPage, failure_of, queue, requests_for

__all__ = [
    "Decided",
    "Decision",
    "RequestPage",
    "decide",
    "failure_of",
    "queue",
    "request_refund",
    "requests_for",
]
