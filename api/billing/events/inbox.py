"""The webhook inbox: each Razorpay event is stored once under its event id (`accept`, one
insert, after which Razorpay is acknowledged), then applied by one applier at a time, within a
budget, and marked (`apply_claimed`).

A redelivery of an event stored already is acknowledged without storing or applying it again.
Applying happens after the acknowledgement (`api.billing.events.applier`); which applier may
apply an event is decided by claims (`api.billing.events.claims`). An event that failed, or whose
applier died midway, is claimed and applied again by a sweep: every handler is idempotent and the
subscription fold is order-independent, so a re-application repairs whatever a cut-off one left.

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
# which leaves it time to write how it ended before another applier may claim the event.
LEASE_MARGIN = timedelta(seconds=5)
# An event stored `received` waits in its process's queue before its budget starts: the lease
# covers that wait too (a full queue stores events `pending` instead, for any sweep).
QUEUE_WAIT = timedelta(seconds=20)
# A failed event is applied again after 5 s, 10 s, ... up to an hour apart, MAX_ATTEMPTS times
# in all (about a day, as long as Razorpay itself redelivers); past that, only `replay` does.
RETRY_FIRST = timedelta(seconds=5)
RETRY_MOST = timedelta(hours=1)
MAX_ATTEMPTS = 30
NO_HANDLER = "no handler for this event"
log = structlog.get_logger("billing.inbox")


class Outcome(StrEnum):
    RECEIVED = "received"  # stored, to be applied after the acknowledgement
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
    DUPLICATE = "duplicate"  # stored already (a replay: applied already)
    IN_PROGRESS = "in_progress"  # another applier is applying it


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
DUPLICATE = Handled(Outcome.DUPLICATE)


def lease_of(budget: timedelta) -> timedelta:
    """How long a claim keeps others off an event: its wait in the queue, its budget, a margin."""
    return QUEUE_WAIT + budget + LEASE_MARGIN


@dataclass(frozen=True)
class Accepted:
    """What storing a delivery came to: its answer, and the claim the storer holds (None: the
    event is done, or was stored by someone else, or left `pending` for a sweep)."""

    handled: Handled
    claimed: Claim | None = None


async def accept(
    billing: Billing, envelope: Envelope, handler: Handler | None, *, lease: timedelta, queued: bool
) -> Accepted:
    """Store a delivery in one insert. With no handler it is stored final (`ignored`); with
    `queued` it is stored claimed by this process (generation 1), else `pending`."""
    if handler is None:
        stored = await claims.store(_ignored(billing, envelope))
        return Accepted(Handled(Outcome.IGNORED, NO_HANDLER) if stored else DUPLICATE)
    event = _stored(billing, envelope) if queued else _pending(billing, envelope)
    if not await claims.store(event):
        return Accepted(DUPLICATE)
    claimed = Claim(event.id, 1, event.received_at + lease) if queued else None
    return Accepted(Handled(Outcome.RECEIVED), claimed)


def authentic(body: bytes, signature: str | None, secret: str | None) -> bool:
    """Whether `X-Razorpay-Signature` signs these exact bytes with the webhook secret; never
    without a secret, so a service with none configured refuses every event."""
    return verify_webhook(body, signature, secret)


async def receive(
    billing: Billing, envelope: Envelope, handler: Handler | None, *, budget: timedelta
) -> Handled:
    """Store (unless stored) and apply an event now, as a replay does: the caller waits."""
    if handler is None and (answered := await _ignore(billing, envelope)):
        return answered
    claimed = await claims.claim(_stored(billing, envelope), lease=lease_of(budget))
    if claimed is Refused.DONE:
        return Handled(Outcome.DUPLICATE)
    if claimed is Refused.BUSY:
        return Handled(Outcome.IN_PROGRESS)
    return await apply_claimed(billing, envelope, handler, claimed, budget=budget)


async def apply_claimed(
    billing: Billing,
    envelope: Envelope,
    handler: Handler | None,
    claimed: Claim,
    *,
    budget: timedelta,
) -> Handled:
    """Apply an event this caller holds the claim on, within the budget, and write how it ended."""
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


def _pending(billing: Billing, envelope: Envelope) -> WebhookEvent:
    return WebhookEvent(
        id=envelope.event_id,
        event=envelope.event,
        status=EventStatus.PENDING,
        attempts=0,
        body=envelope.body,
        received_at=billing.now(),
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
    now = billing.now()
    await claims.settle(
        claimed,
        {
            "status": done or EventStatus.FAILED,
            "error": note,
            "processed_at": now if done else None,
            "retry_at": None if done else _retry_at(handled, claimed.generation, now),
        },
        now=now,
    )


def _retry_at(handled: Handled, attempts: int, now: datetime) -> datetime | None:
    """When a sweep applies a failed event again: never an unreadable one, whose same bytes
    would fail every time, nor one out of attempts."""
    if handled.status is Outcome.UNREADABLE or attempts >= MAX_ATTEMPTS:
        return None
    return now + min(RETRY_FIRST * (1 << min(max(attempts - 1, 0), 20)), RETRY_MOST)
