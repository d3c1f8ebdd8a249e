"""`POST /webhooks/razorpay`: verify the signature over the raw body, then hand to the inbox.

Anything that does not verify is refused before a byte of it is stored: with no webhook secret
configured, that is everything. What Razorpay is answered, and why (any answer but a 2xx within
5 s makes Razorpay deliver the event again later):

- processed, stale, ignored, or a duplicate (applied already): 200.
- in progress (another delivery is applying it right now): 409 `IN_PROGRESS`; nothing applied.
- failed (it names something not recorded yet): 503 `NOT_YET_APPLICABLE`; by the next delivery
  it can apply. Past the handler budget (`WEBHOOK_BUDGET_SECONDS`): 503 `DEADLINE_EXCEEDED`. A
  record that would not settle: 503 `NOT_CONVERGED`. A handler error: 500 `PROCESSING_FAILED`.
  Each is stored as failed and applied again by the next delivery.
- the database unreachable (within `DATABASE_TIMEOUT_SECONDS`): 503 `SERVICE_UNAVAILABLE`.
  Whatever it could not store, the next delivery stores and applies.
- unreadable (signed, so really Razorpay's, but an entity in it lacks a field we rely on): 200
  with the error. It is stored as failed and logged; the same bytes would fail on every retry,
  and a day of failed deliveries can get the webhook disabled at Razorpay.
- an envelope that is not a Razorpay event at all (not JSON, no event name or time): 400, and
  nothing stored.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse

from api import metrics
from api.billing.deps import Billing
from api.billing.events import inbox
from api.billing.events.handlers import HANDLERS
from api.billing.events.inbox import Outcome
from api.outage import SERVICE_UNAVAILABLE, is_database_outage

EVENT_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
log = structlog.get_logger("webhooks")
# Outcomes that are not applied (yet): the status and code that make Razorpay deliver it again.
RETRY_LATER = {
    Outcome.IN_PROGRESS: (409, "IN_PROGRESS"),
    Outcome.FAILED: (503, "NOT_YET_APPLICABLE"),
    Outcome.TIMED_OUT: (503, "DEADLINE_EXCEEDED"),
    Outcome.NOT_CONVERGED: (503, "NOT_CONVERGED"),
}


def refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def razorpay_webhook(request: Request) -> JSONResponse:
    billing: Billing = request.app.state.services.billing
    secret: str | None = request.app.state.services.webhook_secret
    budget = timedelta(seconds=request.app.state.services.settings.webhook_budget_seconds)
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
        return await _handle(billing, envelope, budget)


async def _handle(billing: Billing, envelope: inbox.Envelope, budget: timedelta) -> JSONResponse:
    handler = HANDLERS.get(envelope.event)
    event = envelope.event if handler is not None else metrics.OTHER  # a bounded label
    started = time.perf_counter()
    try:
        handled = await inbox.receive(billing, envelope, handler, budget=budget)
    except Exception as error:
        metrics.webhook(event, "error", time.perf_counter() - started)
        return _failed(error)
    metrics.webhook(event, handled.status.value, time.perf_counter() - started)
    log.info("webhook", status=handled.status, note=handled.note)
    return answer(handled)


def _failed(error: Exception) -> JSONResponse:
    if is_database_outage(error):
        log.warning("webhook_database_unavailable", error=str(error)[:200])
        return refuse(503, SERVICE_UNAVAILABLE, "The database is unavailable; deliver it again.")
    log.exception("webhook_failed")
    return refuse(500, "PROCESSING_FAILED", "The event was stored and will be retried.")


def refused(status: int, code: str, message: str) -> JSONResponse:
    """A delivery refused before it names an event: counted under the code it is refused with."""
    metrics.webhook("none", code.lower())
    return refuse(status, code, message)


def answer(handled: inbox.Handled) -> JSONResponse:
    if handled.status in RETRY_LATER:
        status, code = RETRY_LATER[handled.status]
        return refuse(status, code, _retry_message(handled))
    if handled.status is Outcome.UNREADABLE:
        error = {"code": "UNREADABLE_EVENT", "message": handled.note}
        return JSONResponse({"status": handled.status.value, "error": error})
    return JSONResponse({"status": handled.status.value})


def _retry_message(handled: inbox.Handled) -> str:
    if handled.status is Outcome.IN_PROGRESS:
        return "Another delivery of this event is being applied; deliver it again later."
    return f"Not applied yet ({handled.note}); deliver it again."


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
