"""The webhook inbox: each Razorpay event is stored once under its event id, applied by one
delivery at a time, within a budget, and marked.

A redelivery of an event already handled is acknowledged without applying it again. While one
delivery applies an event, another is answered `in_progress` and applies nothing (Razorpay
delivers it again later); see `api.billing.events.claims`. An event that failed, or whose applier
died midway, is applied by the next delivery: every handler is idempotent and the subscription
fold is order-independent, so a re-application repairs whatever a cut-off one left.

Handlers run under a budget well inside the 5 s Razorpay waits for an answer; their gateway reads
are one short attempt (`Billing.reading_within`). Past the budget the handler is cancelled and
the event is marked failed (`timed_out`), to be applied on redelivery; a record that does not
settle (`NotConverged`) is marked failed (`not_converged`) the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import structlog

from api.billing.convergence import NotConverged
from api.billing.deps import Billing
from api.billing.events import claims
from api.billing.events.claims import Claim, Refused
from api.documents import WebhookEvent
from api.documents.events import EventStatus
from api.gateway.coerce import MalformedEntity
from api.gateway.signatures import verify_webhook

# Past the handler budget, a live applier has been cancelled: its claim lapses this much later,
# which leaves it time to write how it ended before another delivery may claim the event.
LEASE_MARGIN = timedelta(seconds=5)
NO_HANDLER = "no handler for this event"
log = structlog.get_logger("billing.inbox")


class Outcome(StrEnum):
    PROCESSED = "processed"
    STALE = "stale"  # recorded; older than what is already known, it changes nothing
    IGNORED = "ignored"  # nothing of this service's in it
    # Not applied yet (e.g. it names a payment not recorded yet): a redelivery applies it.
    FAILED = "failed"
    # Signed by Razorpay, but an entity in it lacks what we rely on: the same bytes never will
    # apply, so it is stored as failed for someone to look at, not asked for again.
    UNREADABLE = "unreadable"
    TIMED_OUT = "timed_out"  # cut off at the budget; stored as failed
    NOT_CONVERGED = "not_converged"  # a record would not settle; stored as failed
    DUPLICATE = "duplicate"  # applied already
    IN_PROGRESS = "in_progress"  # another delivery is applying it


STORED = {
    Outcome.PROCESSED: EventStatus.PROCESSED,
    Outcome.STALE: EventStatus.STALE,
    Outcome.IGNORED: EventStatus.IGNORED,
}


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event: str
    created_at: datetime
    payload: dict[str, Any]
    body: str

    @property
    def source(self) -> str:
        """What records made from this event name as their source."""
        return f"webhook:{self.event_id}"

    def entity(self, name: str) -> dict[str, Any] | None:
        """`payload.<name>.entity`, when it is an object."""
        found = self.payload.get(name)
        inner = found.get("entity") if isinstance(found, dict) else None
        return inner if isinstance(inner, dict) else None


@dataclass(frozen=True)
class Handled:
    status: Outcome
    note: str | None = None


Handler = Callable[[Billing, Envelope], Awaitable[Handled]]


def authentic(body: bytes, signature: str | None, secret: str | None) -> bool:
    """Whether `X-Razorpay-Signature` signs these exact bytes with the webhook secret; never
    without a secret, so a service with none configured refuses every event."""
    return verify_webhook(body, signature, secret)


async def receive(
    billing: Billing, envelope: Envelope, handler: Handler | None, *, budget: timedelta
) -> Handled:
    if handler is None and (answered := await _ignore(billing, envelope)):
        return answered
    claimed = await claims.claim(_stored(billing, envelope), lease=budget + LEASE_MARGIN)
    if claimed is Refused.DONE:
        return Handled(Outcome.DUPLICATE)
    if claimed is Refused.BUSY:
        return Handled(Outcome.IN_PROGRESS)
    try:
        handled = await _apply_within(budget, billing, envelope, handler)
    except asyncio.CancelledError:
        # The server is stopping: the next delivery may claim it at once, not after the lease.
        await asyncio.shield(_settle(billing, claimed, Handled(Outcome.FAILED, "cancelled")))
        raise
    except Exception as error:
        await _settle(billing, claimed, Handled(Outcome.FAILED, f"{type(error).__name__}: {error}"))
        raise
    await _settle(billing, claimed, handled)
    return handled


async def _ignore(billing: Billing, envelope: Envelope) -> Handled | None:
    """An event with no handler: its outcome is known before storing, so one insert, stored
    final, is all it costs. None when it is stored unfinished (its applier died): it is then
    claimed and finished as any other event."""
    stored = await claims.record_final(_ignored(billing, envelope))
    if stored is None:
        return Handled(Outcome.IGNORED, NO_HANDLER)
    return Handled(Outcome.DUPLICATE) if stored.status.is_done else None


def _ignored(billing: Billing, envelope: Envelope) -> WebhookEvent:
    now = billing.now()
    return WebhookEvent(
        id=envelope.event_id,
        event=envelope.event,
        status=EventStatus.IGNORED,
        error=NO_HANDLER,
        body=envelope.body,
        received_at=now,
        processed_at=now,
    )


def _stored(billing: Billing, envelope: Envelope) -> WebhookEvent:
    now = billing.now()
    return WebhookEvent(
        id=envelope.event_id,
        event=envelope.event,
        status=EventStatus.RECEIVED,
        body=envelope.body,
        received_at=now,
        claimed_at=now,
    )


async def _apply_within(
    budget: timedelta, billing: Billing, envelope: Envelope, handler: Handler | None
) -> Handled:
    seconds = budget.total_seconds()
    try:
        async with asyncio.timeout(seconds) as deadline:
            return await _apply(billing.reading_within(seconds), envelope, handler)
    except TimeoutError:
        if not deadline.expired():
            raise  # a TimeoutError of the handler's own, not the budget
        log.warning("webhook_timed_out", event_id=envelope.event_id, budget_seconds=seconds)
        return Handled(Outcome.TIMED_OUT, f"not applied within the {seconds:g} s budget")
    except NotConverged as error:
        return Handled(Outcome.NOT_CONVERGED, str(error))


async def _apply(billing: Billing, envelope: Envelope, handler: Handler | None) -> Handled:
    if handler is None:
        return Handled(Outcome.IGNORED, NO_HANDLER)
    try:
        return await handler(billing, envelope)
    except MalformedEntity as error:
        # The same signed bytes will never parse: retrying cannot help, and is not asked for.
        log.error("webhook_unreadable", event_id=envelope.event_id, error=str(error))
        return Handled(Outcome.UNREADABLE, f"unreadable entity: {error}"[:500])


async def _settle(billing: Billing, claimed: Claim, handled: Handled) -> None:
    done = STORED.get(handled.status)
    note = handled.note[:500] if handled.note else None
    await claims.settle(
        claimed,
        {
            "status": done or EventStatus.FAILED,
            "error": note,
            "processed_at": billing.now() if done else None,
        },
        now=billing.now(),
    )
