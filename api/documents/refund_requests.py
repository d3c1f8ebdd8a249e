"""Users' refund requests and staff's one decision on each.

Not to be confused with `RefundRequest` (`refund_requests`), the claim of a staff refund's
idempotency key: an approved request is refunded through that very path.
"""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel

from api.statuses import RefundRequestStatus


def open_key(payment_id: str) -> str:
    return f"open:{payment_id}"


def closed_key(request_id: str) -> str:
    return f"closed:{request_id}"


class UserRefundRequest(Document):
    """At most one open per payment: `open_key` is `open:<payment id>` while it is open and
    `closed:<request id>` once decided (a unique index on both servers)."""

    id: str  # type: ignore[assignment]  # a uuid, also in the refund's idempotency key
    open_key: str
    payment_id: str
    user_id: PydanticObjectId
    amount: int  # the payment's, for the queue
    currency: str
    reason: str
    status: RefundRequestStatus = RefundRequestStatus.OPEN
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    note: str | None = None
    refund_id: str | None = None
    access_revoked: bool | None = None
    # Once FAILED: Razorpay's refusal of the approved refund. The code is a `FailureCode`'s value
    # (documents do not import the domain; `refund_requests.failure_of` reads it typed).
    failure_code: str | None = None
    failure_message: str | None = None

    class Settings:
        name = "user_refund_requests"
        indexes = [
            IndexModel([("open_key", ASCENDING)], name="open_key_unique", unique=True),
            IndexModel(
                [("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="queue",
            ),
            IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)], name="newest"),
            IndexModel([("payment_id", ASCENDING)], name="payment"),
        ]


class RefundDecision(Document):
    """The one decision on a request, and its audit record: `_id` is the request's id, so of two
    staff deciding at once one inserts it and the other reads theirs."""

    id: str  # type: ignore[assignment]  # the request's id
    approve: bool
    amount: int | None  # None: whatever remains
    revoke_access: bool
    note: str | None
    decided_by: str
    at: datetime
    allow_credit_shortfall: bool = False  # a credit pack's payment: refund even if spent

    class Settings:
        name = "refund_decisions"
