"""Replaying stored webhook events through the inbox, as if Razorpay delivered them again.

The inbox decides what a replay does, as it does for a redelivery: an event applied already is a
duplicate and changes nothing; a failed one is claimed and applied. So replaying is harmless,
whichever events are chosen and however often.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from beanie import SortDirection

from api.billing.deps import Billing
from api.billing.events import inbox
from api.billing.events.handlers import HANDLERS
from api.billing.events.inbox import Envelope, Handled, Outcome
from api.documents import WebhookEvent
from api.documents.events import EventStatus

MAX_LISTED = 1000


@dataclass(frozen=True)
class Chosen:
    """Which stored events: all, the failed ones, one by id, or those received since a moment."""

    failed: bool = False
    event_id: str | None = None
    since: datetime | None = None


async def stored_events(chosen: Chosen, *, limit: int = MAX_LISTED) -> list[WebhookEvent]:
    """Oldest first, so a replay applies them in the order they came."""
    query: dict[str, object] = {}
    if chosen.failed:
        query["status"] = EventStatus.FAILED.value
    if chosen.event_id is not None:
        query["_id"] = chosen.event_id
    if chosen.since is not None:
        query["received_at"] = {"$gte": chosen.since}
    order = [("received_at", SortDirection.ASCENDING), ("_id", SortDirection.ASCENDING)]
    return await WebhookEvent.find(query).sort(order).limit(limit).to_list()


async def replay(billing: Billing, event: WebhookEvent, *, budget: timedelta) -> Handled:
    envelope = envelope_of(event)
    if envelope is None:
        return Handled(Outcome.UNREADABLE, "the stored body is not a Razorpay event envelope")
    return await inbox.receive(billing, envelope, HANDLERS.get(envelope.event), budget=budget)


def envelope_of(event: WebhookEvent) -> Envelope | None:
    """The stored bytes read back as the webhook route read them when they arrived."""
    try:
        data = json.loads(event.body)
    except ValueError:
        return None
    payload, created = data.get("payload"), data.get("created_at")
    if not isinstance(payload, dict) or not isinstance(created, int):
        return None
    return Envelope(
        event_id=event.id,
        event=event.event,
        created_at=datetime.fromtimestamp(created, UTC),
        payload=payload,
        body=event.body,
    )
