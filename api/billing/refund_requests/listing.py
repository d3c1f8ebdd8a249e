"""Reading refund requests: the staff queue, newest first a page at a time, and a page of
payments' requests for their owner."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from beanie import SortDirection

from api.billing.outcomes import FailureCode, Problem
from api.billing.payment_history import decode_cursor
from api.documents import UserRefundRequest
from api.statuses import RefundRequestStatus

NEWEST_FIRST = [("created_at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)]


@dataclass(frozen=True)
class RequestPage:
    requests: list[UserRefundRequest]
    has_next: bool


async def queue(
    status: RefundRequestStatus | None, *, first: int, after: str | None
) -> RequestPage:
    """Keyed on (created_at, id) like payment history: stable when requests arrive between pages.
    Raises `InvalidCursor` for a cursor this API did not give out."""
    query: dict[str, Any] = {} if status is None else {"status": status.value}
    if after is not None:
        created_at, request_id = decode_cursor(after)
        query["$or"] = [
            {"created_at": {"$lt": created_at}},
            {"created_at": created_at, "_id": {"$lt": request_id}},
        ]
    found = await UserRefundRequest.find(query).sort(NEWEST_FIRST).limit(first + 1).to_list()
    return RequestPage(found[:first], has_next=len(found) > first)


def encode_cursor(request: UserRefundRequest) -> str:
    raw = f"{request.created_at.isoformat()}|{request.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


async def requests_for(payment_ids: list[str]) -> dict[str, list[UserRefundRequest]]:
    """Each payment's requests, newest first."""
    found = (
        await UserRefundRequest.find({"payment_id": {"$in": payment_ids}})
        .sort(NEWEST_FIRST)
        .to_list()
    )
    grouped: dict[str, list[UserRefundRequest]] = {}
    for request in found:
        grouped.setdefault(request.payment_id, []).append(request)
    return grouped


def failure_of(request: UserRefundRequest) -> Problem | None:
    """Razorpay's refusal that closed a FAILED request, typed (never retryable)."""
    if request.failure_code is None:
        return None
    return Problem(FailureCode(request.failure_code), request.failure_message or "")
