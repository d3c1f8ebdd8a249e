"""`POST /webhooks/razorpay`: verify the signature over the raw body, then hand to the inbox.

Anything that does not verify is refused before a byte of it is stored: with no webhook secret
configured, that is everything. What Razorpay is answered, and why:

- applied, stale, ignored, or a duplicate: 200.
- failed (it names something not recorded yet) or a handler error: 503 / 500, so that Razorpay
  delivers it again; by then it can apply.
- unreadable (signed, so really Razorpay's, but an entity in it lacks a field we rely on): 200
  with the error. It is stored as failed and logged; the same bytes would fail on every retry,
  and a day of failed deliveries can get the webhook disabled at Razorpay.
- an envelope that is not a Razorpay event at all (not JSON, no event name or time): 400, and
  nothing stored.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse

from api.billing import inbox
from api.billing.deps import Billing
from api.gateway.client import RazorpayGateway
from api.webhooks.handlers import HANDLERS

EVENT_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
log = structlog.get_logger("webhooks")


def refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def razorpay_webhook(request: Request) -> JSONResponse:
    billing: Billing = request.app.state.services.billing
    secret: str | None = request.app.state.services.webhook_secret
    body = await request.body()
    if not RazorpayGateway.verify_webhook(
        body, request.headers.get("x-razorpay-signature"), secret
    ):
        return refuse(400, "INVALID_SIGNATURE", "The X-Razorpay-Signature does not verify.")
    event_id = request.headers.get("x-razorpay-event-id", "")
    if not EVENT_ID.fullmatch(event_id):
        return refuse(400, "MISSING_EVENT_ID", "X-Razorpay-Event-Id is missing or malformed.")
    envelope = _envelope(event_id, body)
    if envelope is None:
        return refuse(400, "MALFORMED_BODY", "The body is not a Razorpay event envelope.")
    with structlog.contextvars.bound_contextvars(event_id=event_id, event=envelope.event):
        try:
            handled = await inbox.receive(billing, envelope, HANDLERS.get(envelope.event))
        except Exception:
            log.exception("webhook_failed")
            return refuse(500, "PROCESSING_FAILED", "The event was stored and will be retried.")
        log.info("webhook", status=handled.status, note=handled.note)
    return _answer(handled)


def _answer(handled: inbox.Handled) -> JSONResponse:
    if handled.status == "failed":
        message = f"Not applied yet ({handled.note}); deliver it again."
        return refuse(503, "NOT_YET_APPLICABLE", message)
    if handled.status == "unreadable":
        error = {"code": "UNREADABLE_EVENT", "message": handled.note}
        return JSONResponse({"status": "unreadable", "error": error})
    return JSONResponse({"status": handled.status})


def _envelope(event_id: str, body: bytes) -> inbox.Envelope | None:
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, a 5000-digit number, nesting
        return None
    if not isinstance(data, dict):
        return None
    event, payload = data.get("event"), data.get("payload")
    created_at = _moment(data.get("created_at"))
    if not isinstance(event, str) or not isinstance(payload, dict) or created_at is None:
        return None
    return inbox.Envelope(
        event_id=event_id, event=event, created_at=created_at, payload=payload, body=body.decode()
    )


def _moment(created: object) -> datetime | None:
    """Unix seconds as an aware datetime; None for anything else, absurd years included."""
    if not isinstance(created, int) or isinstance(created, bool):
        return None
    try:
        return datetime.fromtimestamp(created, UTC)
    except (OverflowError, OSError, ValueError):
        return None
