"""Refund (`rfnd_…`), processed at once (Razorpay's test mode does the same for normal speed);
held `pending` by a test knob, then processed or failed through the control API."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.errors import ApiError, invalid
from razorpay_sandbox.ids import new_id, random_alnum

Entity = dict[str, Any]
SPEEDS = ("normal", "optimum")
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{10,}$")


def new_refund(body: v.Body, payment: Entity, available: int, now: int) -> Entity:
    v.only(body, ("amount", "speed", "notes", "receipt"))
    amount = v.amount(body, required_=False)
    if amount is None:
        amount = available
    if available <= 0:
        raise ApiError("The payment has been fully refunded already.", field="amount")
    if amount > available:
        raise invalid("The refund amount provided is greater than amount captured.", "amount")
    refund = refund_entity(payment, amount, now, notes=v.notes(body))
    refund["receipt"] = v.text(body, "receipt", max_length=40)
    if "speed" in body:
        speed = v.choice(body, "speed", SPEEDS)
        # Both speed fields appear only when a speed was requested.
        refund["speed_requested"] = speed
        refund["speed_processed"] = "instant" if speed == "optimum" else "normal"
    return refund


def refund_entity(payment: Entity, amount: int, now: int, *, notes: dict[str, str]) -> Entity:
    return {
        "id": new_id("rfnd"),
        "entity": "refund",
        "amount": amount,
        "currency": payment["currency"],
        "payment_id": payment["id"],
        "notes": v.notes_out(notes),
        "receipt": None,
        "acquirer_data": {"arn": None},
        "created_at": now,
        "batch_id": None,
        "status": "processed",
    }


def processed(refund: Entity) -> None:
    refund["status"] = "processed"
    refund["acquirer_data"] = {"arn": random_alnum(14).upper()}


def idempotency_key(header: str | None) -> str | None:
    if header is None:
        return None
    if not _IDEMPOTENCY_KEY.match(header):
        raise invalid(
            "The idempotency key must be at least 10 characters of A-Z, a-z, 0-9, _ or -.",
            "X-Refund-Idempotency",
        )
    return header


def request_fingerprint(payment_id: str, body: v.Body) -> str:
    canonical = json.dumps([payment_id, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
