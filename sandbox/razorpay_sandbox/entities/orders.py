"""Order (`order_…`) for one-time purchases: created → attempted → paid."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.entities.plans import currency
from razorpay_sandbox.ids import new_id

Entity = dict[str, Any]
ACCEPTED = (
    "amount",
    "currency",
    "receipt",
    "notes",
    "partial_payment",
    "first_payment_min_amount",
    "payment_capture",
    "payment",
)


def new_order(body: v.Body, now: int) -> Entity:
    v.only(body, ACCEPTED)
    amount = v.amount(body)
    v.flag(body, "partial_payment", default=False)
    return order_entity(
        amount=int(amount or 0),
        currency_=currency(body),
        receipt=v.text(body, "receipt", max_length=40),
        notes=v.notes(body),
        now=now,
    )


def order_entity(
    *, amount: int, currency_: str, receipt: str | None, notes: dict[str, str], now: int
) -> Entity:
    return {
        "id": new_id("order"),
        "entity": "order",
        "amount": amount,
        "amount_paid": 0,
        "amount_due": amount,
        "currency": currency_,
        "receipt": receipt,
        "offer_id": None,
        "status": "created",
        "attempts": 0,
        "notes": v.notes_out(notes),
        "created_at": now,
    }


def record_attempt(order: Entity, *, paid: bool, amount: int) -> None:
    order["attempts"] += 1
    if paid:
        order.update(status="paid", amount_paid=amount, amount_due=0)
    elif order["status"] == "created":
        order["status"] = "attempted"
