"""The webhook inbox: each Razorpay event is stored once under its event id, applied, and marked.

A redelivery of an event already handled is acknowledged without applying it again. One that
failed, or whose first delivery died midway, is applied again: every handler is idempotent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from pymongo.errors import DuplicateKeyError

from api.billing.deps import Billing
from api.documents import WebhookEvent
from api.gateway.coerce import MalformedEntity

DONE = frozenset({"processed", "stale", "ignored"})
log = structlog.get_logger("billing.inbox")


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event: str
    created_at: datetime
    payload: dict[str, Any]
    body: str

    def entity(self, name: str) -> dict[str, Any] | None:
        """`payload.<name>.entity`, when it is an object."""
        found = self.payload.get(name)
        inner = found.get("entity") if isinstance(found, dict) else None
        return inner if isinstance(inner, dict) else None


@dataclass(frozen=True)
class Handled:
    # processed | stale | ignored: done. failed: not yet (e.g. it names a payment not recorded
    # yet), so a redelivery applies it again. unreadable: signed by Razorpay, but an entity in
    # it lacks what we rely on; stored as failed for someone to look at.
    status: str
    note: str | None = None


Handler = Callable[[Billing, Envelope], Awaitable[Handled]]


async def receive(billing: Billing, envelope: Envelope, handler: Handler | None) -> Handled:
    stored = await _store_once(billing, envelope)
    if stored.status in DONE:
        return Handled("duplicate")
    try:
        handled = await _apply(billing, envelope, handler)
    except Exception as error:
        await stored.set({"status": "failed", "error": f"{type(error).__name__}: {error}"[:500]})
        raise
    done = handled.status in DONE
    await stored.set(
        {
            "status": handled.status if done else "failed",
            "error": handled.note,
            "processed_at": billing.now() if done else None,
        }
    )
    return handled


async def _apply(billing: Billing, envelope: Envelope, handler: Handler | None) -> Handled:
    if handler is None:
        return Handled("ignored", "no handler for this event")
    try:
        return await handler(billing, envelope)
    except MalformedEntity as error:
        # The same signed bytes will never parse: retrying cannot help, and is not asked for.
        log.error("webhook_unreadable", event_id=envelope.event_id, error=str(error))
        return Handled("unreadable", f"unreadable entity: {error}"[:500])


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
