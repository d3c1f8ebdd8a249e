"""Which applier of a webhook event may apply it: one at a time, decided by unique inserts.

The webhook route stores each event in one insert (`store`, `_id` = the event id). Stored
`received`, that insert is the storing process's claim, generation 1, and costs nothing beyond
storing the event; stored `pending` (its in-process queue was full) it is nobody's yet. A replay
inserts it with an upsert that returns what was stored before (`claim`, one command). Whoever
finds it stored (a sweep of any process, a replay) finds it:

- applied already: a duplicate, nothing to do.
- being applied (`received`, claimed less than a lease ago): busy; the finder applies nothing
  (its holder will, or a sweep after the lease).
- pending, failed, or its claim's lease has run out (its applier died): the finder claims
  the next generation n by inserting `WebhookClaim` "<event id>:<n>". Of two deliveries trying
  one generation, one insert wins; the other is busy.

Conditional updates are not atomic on FerretDB, so no update decides anything here. While a
claim's lease is live no newer claim can be taken, so its holder writes how it ended by `_id`
alone (the one filter FerretDB v1 answers from its index instead of reading the whole inbox);
a holder whose lease ran out writes only if the event still names its generation, so that it
does not overwrite a newer claim's state. The lease outlasts the handler budget (the inbox cancels
a handler at its budget), so a claim whose lease ran out belongs to a delivery that is gone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from beanie.odm.utils.dump import get_dict
from pymongo.errors import DuplicateKeyError

from api.documents import WebhookClaim, WebhookEvent
from api.documents.events import EventStatus

# Generations tried past the one the event names: each skips a claim whose holder died between
# inserting it and writing it on the event, which two deaths in a row already make unlikely.
MAX_SKIPS = 3


class Refused(enum.Enum):
    DONE = "done"  # applied already
    BUSY = "busy"  # another delivery holds a live claim


# A holder writes by `_id` alone only this long before its lease runs out, so that the write
# lands while no newer claim can exist.
SETTLE_ROOM = timedelta(seconds=1)


@dataclass(frozen=True)
class Claim:
    event_id: str
    generation: int
    expires_at: datetime  # when the lease runs out: another delivery may claim the event then


async def claim(event: WebhookEvent, *, lease: timedelta) -> Claim | Refused:
    """Claim `event` (as this delivery would store it) for applying, or say why not."""
    now = event.received_at
    stored = await _insert_or_find(event)
    if stored is None:
        return Claim(event.id, 1, now + lease)
    return await claim_stored(stored, now=now, lease=lease)


async def store(event: WebhookEvent) -> bool:
    """Insert `event` in one command; False when an event with its id is stored already."""
    try:
        await WebhookEvent.get_pymongo_collection().insert_one(get_dict(event, to_db=True))
    except DuplicateKeyError:
        return False
    return True


async def claim_stored(stored: WebhookEvent, *, now: datetime, lease: timedelta) -> Claim | Refused:
    """Claim an event found stored (by a sweep, or a delivery that found it), or say why not."""
    if stored.status.is_done:
        return Refused.DONE
    claimed_at = stored.claimed_at or stored.received_at
    if stored.status is EventStatus.RECEIVED and now < claimed_at + lease:
        return Refused.BUSY
    return await _claim_after(stored, now=now, lease=lease)


async def record_final(event: WebhookEvent) -> WebhookEvent | None:
    """Store an event whose outcome is known before applying it (nothing to apply, so nothing to
    claim); None when stored now, else the event stored before."""
    return await _insert_or_find(event)


async def _insert_or_find(event: WebhookEvent) -> WebhookEvent | None:
    """Insert `event` unless one with its id is stored; None when inserted, else the stored one."""
    fields = get_dict(event, to_db=True)  # as Beanie's insert would store it
    event_id = fields.pop("_id")
    events = WebhookEvent.get_pymongo_collection()
    try:
        found = await events.find_one_and_update(
            {"_id": event_id}, {"$setOnInsert": fields}, upsert=True
        )
    except DuplicateKeyError:  # another delivery's insert came first
        stored = await WebhookEvent.get(event_id)
        assert stored is not None  # events are never deleted while deliveries run
        return stored
    return None if found is None else WebhookEvent.model_validate(found)


async def _claim_after(stored: WebhookEvent, *, now: datetime, lease: timedelta) -> Claim | Refused:
    generation = stored.attempts + 1
    for _ in range(MAX_SKIPS):
        taken = WebhookClaim(
            id=f"{stored.id}:{generation}",
            event_id=stored.id,
            generation=generation,
            claimed_at=now,
        )
        try:
            await taken.insert()
        except DuplicateKeyError:
            holder = await WebhookClaim.get(taken.id)
            if holder is None or now < holder.claimed_at + lease:
                return Refused.BUSY
            generation += 1  # its holder died before writing it on the event
            continue
        await WebhookEvent.get_pymongo_collection().update_one(
            {"_id": stored.id},
            {"$set": {"status": EventStatus.RECEIVED, "attempts": generation, "claimed_at": now}},
        )
        return Claim(stored.id, generation, now + lease)
    return Refused.BUSY


async def settle(claimed: Claim, changes: dict[str, Any], *, now: datetime) -> None:
    """Write how this claim's application ended, unless a newer claim has taken the event."""
    events = WebhookEvent.get_pymongo_collection()
    if now + SETTLE_ROOM < claimed.expires_at:
        await events.update_one({"_id": claimed.event_id}, {"$set": changes})
        return
    await events.update_one(
        {"_id": claimed.event_id, "attempts": claimed.generation}, {"$set": changes}
    )
