"""Recording payments once, flagging amounts that differ from the plan, and payment history."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from beanie import PydanticObjectId, SortDirection
from pymongo.errors import DuplicateKeyError

from api.documents.payments import Payment, Refund
from api.gateway.entities import RazorpayPayment

log = structlog.get_logger("billing.payments")
MAX_PAGE = 100
RECORDED_STATUSES = frozenset({"captured", "refunded", "failed"})


async def record_payment(
    payment: RazorpayPayment,
    *,
    user_id: PydanticObjectId,
    subscription_id: str | None,
    expected_amount: int | None,
    source: str,
    now: datetime,
) -> Payment | None:
    """Store a captured or failed payment once under its Razorpay id; the first record wins."""
    if payment.status not in RECORDED_STATUSES:
        return None
    existing = await Payment.get(payment.id)
    if existing is not None:
        return existing
    document = _document(payment, user_id, subscription_id, expected_amount, source, now)
    if document.amount_mismatch:
        log.warning(
            "payment_amount_mismatch",
            payment=payment.id,
            amount=payment.amount,
            expected=expected_amount,
        )
    try:
        await document.insert()
    except DuplicateKeyError:
        return await Payment.get(payment.id)
    return document


def _document(
    payment: RazorpayPayment,
    user_id: PydanticObjectId,
    subscription_id: str | None,
    expected_amount: int | None,
    source: str,
    now: datetime,
) -> Payment:
    captured = payment.status != "failed"
    mismatch = captured and expected_amount is not None and payment.amount != expected_amount
    return Payment(
        id=payment.id,
        user_id=user_id,
        razorpay_subscription_id=subscription_id,
        razorpay_invoice_id=payment.invoice_id,
        amount=payment.amount,
        currency=payment.currency,
        status="captured" if captured else "failed",
        method=payment.method,
        card_last4=payment.card_last4,
        card_network=payment.card_network,
        error_code=payment.error_code,
        error_description=payment.error_description,
        expected_amount=expected_amount,
        amount_mismatch=mismatch,
        created_at=payment.created_at or now,
        recorded_at=now,
        source=source,
    )


async def refunded_amount(payment_id: str) -> int:
    refunds = await Refund.find(
        Refund.payment_id == payment_id, Refund.status != "failed"
    ).to_list()
    return sum(r.amount for r in refunds)


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
