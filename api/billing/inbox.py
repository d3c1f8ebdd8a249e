"""The webhook inbox: each Razorpay event is stored once under its event id, applied, and marked.

A redelivery of an event already handled is acknowledged without applying it again. One that
failed, or whose first delivery died midway, is applied again: every handler is idempotent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from api.billing.deps import Billing
from api.documents import WebhookEvent

DONE = frozenset({"processed", "stale", "ignored"})


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event: str
    created_at: datetime
    payload: dict[str, Any]
    body: str


@dataclass(frozen=True)
class Handled:
    status: str  # processed | stale | ignored
    note: str | None = None


Handler = Callable[[Billing, Envelope], Awaitable[Handled]]


async def receive(billing: Billing, envelope: Envelope, handler: Handler | None) -> str:
    stored = await _store_once(billing, envelope)
    if stored.status in DONE:
        return "duplicate"
    try:
        handled = (
            Handled("ignored", "no handler for this event")
            if handler is None
            else await handler(billing, envelope)
        )
    except Exception as error:
        await stored.set({"status": "failed", "error": f"{type(error).__name__}: {error}"[:500]})
        raise
    await stored.set(
        {"status": handled.status, "error": handled.note, "processed_at": billing.now()}
    )
    return handled.status


async def _store_once(billing: Billing, envelope: Envelope) -> WebhookEvent:
    event = WebhookEvent(
        id=envelope.event_id,
        event=envelope.event,
        status="received",
        body=envelope.body,
        received_at=billing.now(),
    )
    try:
        await event.insert()
        return event
    except DuplicateKeyError:
        earlier = await WebhookEvent.get(envelope.event_id)
    assert earlier is not None
    if earlier.status not in DONE:
        await earlier.set({"attempts": earlier.attempts + 1})
    return earlier
