"""Which delivery of a webhook event may apply it: one at a time, decided by unique inserts.

The first delivery inserts the event (`WebhookEvent`, `_id` = the event id): that insert is its
claim, generation 1, and costs nothing beyond storing the event. Any other delivery finds it:

- applied already: a duplicate, nothing to do.
- being applied (`received`, claimed less than a lease ago): busy; the delivery is answered so
  that Razorpay delivers it again later, and it applies nothing.
- failed, or its claim's lease has run out (the delivery applying it died): the delivery claims
  the next generation n by inserting `WebhookClaim` "<event id>:<n>". Of two deliveries trying
  one generation, one insert wins; the other is busy.

Conditional updates are not atomic on FerretDB, so no update decides anything here; the status
written when an application ends names its generation only so that a writer whose lease ran out
does not overwrite a newer claim's state. The lease outlasts the handler budget (the inbox cancels
a handler at its budget), so a claim whose lease ran out belongs to a delivery that is gone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from api.documents import WebhookClaim, WebhookEvent
from api.documents.events import EventStatus

# Generations tried past the one the event names: each skips a claim whose holder died between
# inserting it and writing it on the event, which two deaths in a row already make unlikely.
MAX_SKIPS = 3


class Refused(enum.Enum):
    DONE = "done"  # applied already
    BUSY = "busy"  # another delivery holds a live claim


@dataclass(frozen=True)
class Claim:
    event_id: str
    generation: int


async def claim(event: WebhookEvent, *, lease: timedelta) -> Claim | Refused:
    """Claim `event` (as this delivery would store it) for applying, or say why not."""
    try:
        await event.insert()
        return Claim(event.id, 1)
    except DuplicateKeyError:
        stored = await WebhookEvent.get(event.id)
    assert stored is not None  # events are never deleted while deliveries run
    now = event.received_at
    if stored.status.is_done:
        return Refused.DONE
    claimed_at = stored.claimed_at or stored.received_at
    if stored.status is EventStatus.RECEIVED and now < claimed_at + lease:
        return Refused.BUSY
    return await _claim_after(stored, now=now, lease=lease)


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
        await stored.set(
            {"status": EventStatus.RECEIVED, "attempts": generation, "claimed_at": now}
        )
        return Claim(stored.id, generation)
    return Refused.BUSY


async def settle(claimed: Claim, changes: dict[str, Any]) -> None:
    """Write how this claim's application ended, unless a newer claim has taken the event."""
    await WebhookEvent.find_one(
        WebhookEvent.id == claimed.event_id, WebhookEvent.attempts == claimed.generation
    ).update({"$set": changes})
