"""A signed webhook delivery as Razorpay sends it, with the headers that authenticate it.

A payment that failed, of a customer nobody here has: the inbox stores the event, looks the
payment and the customer up, and marks the event ignored; the write path of a real delivery."""

from __future__ import annotations

import hashlib
import hmac
import json

EVENT = "payment.failed"
WEBHOOK_PATH = "/webhooks/razorpay"


def envelope(event_id: str, at: int) -> bytes:
    payment = {
        "id": f"pay_{event_id[-14:]}",
        "entity": "payment",
        "amount": 10_000,
        "currency": "INR",
        "status": "failed",
        "method": "card",
        "captured": False,
        "amount_refunded": 0,
        "refund_status": None,
        "invoice_id": None,
        "customer_id": f"cust_{event_id[-14:]}",
        "error_code": "BAD_REQUEST_ERROR",
        "error_description": "Your payment was declined.",
        "created_at": at,
    }
    body = {
        "entity": "event",
        "event": EVENT,
        "contains": ["payment"],
        "payload": {"payment": {"entity": payment}},
        "created_at": at,
    }
    return json.dumps(body).encode()


def signed_headers(secret: bytes, event_id: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": hmac.new(secret, body, hashlib.sha256).hexdigest(),
        "X-Razorpay-Event-Id": event_id,
    }
