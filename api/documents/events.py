"""The webhook inbox, its application claims, and the audit log of every change of access."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel


class EventStatus(StrEnum):
    # Stored and acknowledged, claimed by no one: the next sweep of any process claims it.
    PENDING = "pending"
    RECEIVED = "received"  # being applied by the holder of its newest claim
    PROCESSED = "processed"
    STALE = "stale"  # applied, and it changed nothing: older than what was already known
    IGNORED = "ignored"  # nothing of this service's in it
    FAILED = "failed"  # not applied (yet): a sweep claims it again at `retry_at`

    @property
    def is_done(self) -> bool:
        """Applied (or found to need nothing): a later delivery has nothing to do."""
        return self in (EventStatus.PROCESSED, EventStatus.STALE, EventStatus.IGNORED)


class WebhookEvent(Document):
    """One per event id. Inserting it acknowledges the event; stored `received`, it is also the
    storing process's claim on applying it (generation 1)."""

    id: str  # type: ignore[assignment]  # X-Razorpay-Event-Id
    event: str
    status: EventStatus
    # How many deliveries have claimed the event to apply it: the generation of its newest
    # claim. Deliveries answered `duplicate` or `in progress` do not count.
    attempts: int = 1
    error: str | None = None
    body: str  # the exact bytes Razorpay signed, as text: notes keys may hold '.' or '$'
    received_at: datetime
    claimed_at: datetime | None = None  # when the newest claim was taken (None: at received_at)
    processed_at: datetime | None = None
    # When a failed event is due to be applied again; None: never by itself (unreadable, or
    # out of attempts), only by `replay`.
    retry_at: datetime | None = None

    class Settings:
        name = "webhook_events"
        indexes = [IndexModel([("status", ASCENDING), ("received_at", ASCENDING)], name="status")]


class WebhookClaim(Document):
    """A later delivery's claim on applying an event: generation 2 onwards, `_id` =
    "<event id>:<generation>", so of two deliveries claiming one generation one insert wins.
    (Generation 1 is the `WebhookEvent` insert itself.)"""

    id: str  # type: ignore[assignment]
    event_id: str
    generation: int
    claimed_at: datetime

    class Settings:
        name = "webhook_claims"


class AccessChange(Document):
    """Written whenever a subscription's `access_until` changes, and for each staff grant and
    revocation (`grant_id`, `actor`). `_id` makes it one per change."""

    id: str  # type: ignore[assignment]
    user_id: PydanticObjectId
    razorpay_subscription_id: str | None  # None: a staff grant's
    before: datetime | None
    after: datetime | None
    reason: str
    source: str
    at: datetime
    grant_id: str | None = None
    actor: str | None = None  # who granted or revoked (a token subject); None: not staff

    class Settings:
        name = "access_changes"
        indexes = [IndexModel([("user_id", ASCENDING), ("at", DESCENDING)], name="user_at")]
