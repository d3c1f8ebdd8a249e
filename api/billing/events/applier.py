"""Applying acknowledged webhook events in the background, in the process that stored them.

The route stores an event and acknowledges it (`inbox.accept`); what it stored claimed it hands
here. A bounded queue holds those, and a few workers apply them (`inbox.apply_claimed`): the
acknowledgement waits for one insert only, whatever applying costs. The queue's bound is also
the memory a burst may take: past it the route stores events `pending` and queues nothing.

A sweep, every SWEEP_SECONDS in every process, finds what no queue holds: events stored
`pending`, failed ones due again (`retry_at`), and `received` ones whose claim lapsed (their
process died after acknowledging them). It claims each (`claims.claim_stored`, so of two
processes one applies it) and queues it for the workers, as long as the queue has room; with
more due than one sweep takes, the next starts as soon as the workers are done. So nothing
acknowledged is lost to a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from api import metrics
from api.background import running
from api.billing.deps import Billing
from api.billing.events import claims, inbox
from api.billing.events.claims import Claim, Refused
from api.billing.events.handlers import HANDLERS
from api.billing.events.inbox import Envelope
from api.billing.events.replay import envelope_of
from api.documents import WebhookEvent
from api.documents.events import EventStatus

QUEUE_BOUND = 1000
WORKERS = 4
SWEEP_SECONDS = 5.0
SWEEP_BATCH = 200
log = structlog.get_logger("billing.applier")


@dataclass(frozen=True)
class Queued:
    envelope: Envelope
    claimed: Claim


@dataclass
class Swept:
    queued: int = 0
    more: bool = False  # more may be due than one sweep took


@dataclass
class Applier:
    billing: Billing
    budget: timedelta
    # Unbounded as a queue: its bound (QUEUE_BOUND) is kept by `reserve`, which every producer
    # (the route, the sweep) passes before it puts, so a promised slot is never found taken.
    queue: asyncio.Queue[Queued] = field(default_factory=asyncio.Queue)
    reserved: int = 0  # slots promised to deliveries still storing their event
    taken: int = 0  # taken off the queue by a worker, not applied yet
    running: bool = False
    # Cleared while applying is held (`held`): deliveries are still stored and queued.
    flowing: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.flowing.set()

    @property
    def lease(self) -> timedelta:
        return inbox.lease_of(self.budget)

    @property
    def backlog(self) -> int:
        """Events stored here and not applied yet (a sweep's `pending` ones are not counted)."""
        return self.queue.qsize() + self.reserved + self.taken

    def reserve(self) -> bool:
        """A slot for an event about to be stored or claimed; False when full or not running
        (a delivery is then stored `pending`, for a sweep)."""
        if not self.running or self.backlog >= QUEUE_BOUND:
            return False
        self.reserved += 1
        return True

    def release(self, envelope: Envelope | None, claimed: Claim | None) -> None:
        """Give back a reserved slot: to the event stored under it, if it was claimed here."""
        self.reserved -= 1
        if envelope is not None and claimed is not None:
            self.queue.put_nowait(Queued(envelope, claimed))
        metrics.webhook_backlog(self.backlog)

    async def drained(self) -> None:
        """Until every event queued here is applied (tests, and a stopping server)."""
        await self.queue.join()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Applying waits meanwhile: events are still acknowledged and queued here, and applied
        once it ends, or by another process's sweep once their claims lapse (maintenance, and
        the tests of a process that dies after acknowledging). This process's background sweep
        waits too: it would only claim events, other processes' due ones included, that no
        worker here applies until the hold ends."""
        self.flowing.clear()
        try:
            yield
        finally:
            self.flowing.set()

    async def sweep(self, *, failed_now: bool = False) -> int:
        """Claim what no queue holds, queue it, and wait until it is applied; how many were
        queued. `failed_now` takes failed events without waiting for their `retry_at` (tests,
        an operator)."""
        swept = await self._sweep_once(failed_now=failed_now)
        await self.drained()
        return swept.queued

    async def _sweep_once(self, *, failed_now: bool = False) -> Swept:
        """Claim due events into the queue while it has room; the workers apply them."""
        swept = Swept()
        due = await _due(self.billing, self.lease, failed_now=failed_now)
        swept.more = len(due) == SWEEP_BATCH
        for stored in due:
            if not self.reserve():
                swept.more = True  # the queue is full: the rest once it has room
                break
            envelope, claimed = envelope_of(stored), None
            try:
                claimed = await self._claim(stored, envelope)
            finally:
                self.release(envelope, claimed)
            swept.queued += claimed is not None
        return swept

    async def _claim(self, stored: WebhookEvent, envelope: Envelope | None) -> Claim | None:
        if envelope is None:
            return None
        claimed = await claims.claim_stored(stored, now=self.billing.now(), lease=self.lease)
        return None if isinstance(claimed, Refused) else claimed

    async def _apply(self, envelope: Envelope, claimed: Claim) -> None:
        handler = HANDLERS.get(envelope.event)
        event = envelope.event if handler else metrics.OTHER  # a bounded label
        with structlog.contextvars.bound_contextvars(event_id=envelope.event_id):
            try:
                handled = await inbox.apply_claimed(
                    self.billing, envelope, handler, claimed, budget=self.budget
                )
            except Exception:  # settled as failed by the inbox; a sweep applies it again
                log.exception("webhook_apply_failed")
                metrics.webhook_applied(event, "error")
                return
        log.info("webhook_applied", status=handled.status, note=handled.note)
        metrics.webhook_applied(event, handled.status)

    async def _work(self) -> None:
        while True:
            queued = await self.queue.get()
            self.taken += 1
            try:
                await self.flowing.wait()
                await self._apply_queued(queued)
            finally:
                self.taken -= 1
                self.queue.task_done()
                metrics.webhook_backlog(self.backlog)

    async def _apply_queued(self, queued: Queued) -> None:
        claimed = queued.claimed
        if self.billing.now() + self.budget + claims.SETTLE_ROOM >= claimed.expires_at:
            # Waited past its lease (a stalled process): a sweep may hold it now; claim anew.
            found = await WebhookEvent.get(claimed.event_id)
            if found is None:
                return
            again = await claims.claim_stored(found, now=self.billing.now(), lease=self.lease)
            if isinstance(again, Refused):
                return
            claimed = again
        await self._apply(queued.envelope, claimed)

    async def _sweep_forever(self) -> None:
        while True:
            await self.flowing.wait()
            swept = Swept()
            try:
                swept = await self._sweep_once()
            except Exception:  # the database away: the next sweep tries again
                log.warning("webhook_sweep_failed", exc_info=True)
            if swept.more:  # once what it queued is applied, at once: more is due
                await self.drained()
            else:
                await asyncio.sleep(SWEEP_SECONDS)

    @asynccontextmanager
    async def running_in_background(self) -> AsyncIterator[None]:
        """Workers and the sweep run while the app runs; cancelled at shutdown (what is queued
        then is `received` in the database, and a sweep applies it once its claim lapses)."""
        self.running = True
        try:
            async with running(*(self._work() for _ in range(WORKERS)), self._sweep_forever()):
                yield
        finally:
            self.running = False


async def _due(billing: Billing, lease: timedelta, *, failed_now: bool) -> list[WebhookEvent]:
    now = billing.now()
    failed: dict[str, object] = {"status": EventStatus.FAILED.value, "retry_at": {"$ne": None}}
    if not failed_now:
        failed["retry_at"] = {"$lte": now}
    lapsed = {"status": EventStatus.RECEIVED.value, "claimed_at": {"$lt": now - lease}}
    query = {"$or": [{"status": EventStatus.PENDING.value}, failed, lapsed]}
    return await WebhookEvent.find(query).sort("+received_at").limit(SWEEP_BATCH).to_list()
