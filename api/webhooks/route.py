"""`POST /webhooks/razorpay`: verify the signature over the raw body, store the event, acknowledge.

Anything that does not verify is refused before a byte of it is stored: with no webhook secret
configured, that is everything. A verified event is stored durably in one insert and answered at
once; applying it happens after the answer (`api.billing.events.applier`), and a sweep applies
whatever a crash left, so an acknowledged event is never lost. What Razorpay is answered (any
answer but a 2xx within 5 s makes Razorpay deliver the event again later):

- stored, to be applied: 200 `received`. With no handler for its event: 200 `ignored`, stored
  final. Stored already (a redelivery): 200 `duplicate`, and nothing else is done.
- the database unreachable (within `DATABASE_TIMEOUT_SECONDS`): 503 `SERVICE_UNAVAILABLE`;
  nothing stored, so the next delivery stores it. Any other failure to store: 500
  `PROCESSING_FAILED`, likewise.
- an envelope that is not a Razorpay event at all (not JSON, no event name or time): 400, and
  nothing stored.

How applying ended (processed, stale, ignored, failed and due again, unreadable) is the stored
event's status, in the metrics (`billing_webhooks_applied`) and the log (`webhook_applied`).
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse

from api import metrics
from api.billing.deps import Billing
from api.billing.events import inbox
from api.billing.events.applier import Applier
from api.billing.events.handlers import HANDLERS
from api.outage import SERVICE_UNAVAILABLE, is_database_outage
from api.services import Services

EVENT_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
log = structlog.get_logger("webhooks")


def refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def razorpay_webhook(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    secret = services.webhook_secret
    body = await request.body()
    if not inbox.authentic(body, request.headers.get("x-razorpay-signature"), secret):
        return refused(400, "INVALID_SIGNATURE", "The X-Razorpay-Signature does not verify.")
    event_id = request.headers.get("x-razorpay-event-id", "")
    if not EVENT_ID.fullmatch(event_id):
        return refused(400, "MISSING_EVENT_ID", "X-Razorpay-Event-Id is missing or malformed.")
    envelope = _envelope(event_id, body)
    if envelope is None:
        return refused(400, "MALFORMED_BODY", "The body is not a Razorpay event envelope.")
    # Every line logged while it is handled, the inbox's and the handlers' too, names the event.
    with structlog.contextvars.bound_contextvars(event_id=event_id, event=envelope.event):
        return await _handle(services.billing, services.applier, envelope)


async def _handle(billing: Billing, applier: Applier, envelope: inbox.Envelope) -> JSONResponse:
    handler = HANDLERS.get(envelope.event)
    event = envelope.event if handler is not None else metrics.OTHER  # a bounded label
    queued = handler is not None and applier.reserve()
    claimed = None
    started = time.perf_counter()
    try:
        accepted = await inbox.accept(
            billing, envelope, handler, lease=applier.lease, queued=queued
        )
        claimed = accepted.claimed
    except Exception as error:
        metrics.webhook(event, "error", time.perf_counter() - started)
        return _failed(error)
    finally:
        if queued:
            applier.release(envelope, claimed)
    handled = accepted.handled
    metrics.webhook(event, handled.status.value, time.perf_counter() - started)
    log.info("webhook", status=handled.status, note=handled.note)
    return JSONResponse({"status": handled.status.value})


def _failed(error: Exception) -> JSONResponse:
    if is_database_outage(error):
        log.warning("webhook_database_unavailable", error=str(error)[:200])
        return refuse(503, SERVICE_UNAVAILABLE, "The database is unavailable; deliver it again.")
    log.exception("webhook_failed")
    return refuse(500, "PROCESSING_FAILED", "The event was not stored; deliver it again.")


def refused(status: int, code: str, message: str) -> JSONResponse:
    """A delivery refused before it names an event: counted under the code it is refused with."""
    metrics.webhook("none", code.lower())
    return refuse(status, code, message)


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
