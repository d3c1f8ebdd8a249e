"""A user's payments with their refunds, newest first, a page at a time."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId, SortDirection

from api.documents.payments import Payment, Refund

MAX_PAGE = 100


@dataclass(frozen=True)
class PaymentPage:
    payments: list[Payment]
    refunds: dict[str, list[Refund]]
    has_next: bool


class InvalidCursor(ValueError):
    pass


async def history(user_id: PydanticObjectId, *, first: int, after: str | None) -> PaymentPage:
    """Newest first, keyed on (created_at, id): stable when payments arrive between pages."""
    query: dict[str, Any] = {"user_id": user_id}
    if after is not None:
        created_at, payment_id = decode_cursor(after)
        query["$or"] = [
            {"created_at": {"$lt": created_at}},
            {"created_at": created_at, "_id": {"$lt": payment_id}},
        ]
    newest_first = [("created_at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)]
    found = await Payment.find(query).sort(newest_first).limit(first + 1).to_list()
    page = found[:first]
    return PaymentPage(page, await _refunds_of([p.id for p in page]), has_next=len(found) > first)


async def _refunds_of(payment_ids: list[str]) -> dict[str, list[Refund]]:
    refunds = (
        await Refund.find({"payment_id": {"$in": payment_ids}})
        .sort([("created_at", SortDirection.ASCENDING)])
        .to_list()
    )
    grouped: dict[str, list[Refund]] = {}
    for refund in refunds:
        grouped.setdefault(refund.payment_id, []).append(refund)
    return grouped


def encode_cursor(payment: Payment) -> str:
    raw = f"{payment.created_at.isoformat()}|{payment.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created_at, payment_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        moment = datetime.fromisoformat(created_at)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidCursor("The cursor is not one this API gave out.") from error
    if moment.tzinfo is None or not payment_id:
        raise InvalidCursor("The cursor is not one this API gave out.")
    return moment, payment_id
