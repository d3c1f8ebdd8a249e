"""The webhook inbox and the audit log of every change of access."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel


class WebhookEvent(Document):
    id: str  # type: ignore[assignment]  # X-Razorpay-Event-Id
    event: str
    status: str  # received | processed | stale | ignored | failed
    attempts: int = 1
    error: str | None = None
    body: str  # the exact bytes Razorpay signed, as text: notes keys may hold '.' or '$'
    received_at: datetime
    processed_at: datetime | None = None

    class Settings:
        name = "webhook_events"
        indexes = [IndexModel([("status", ASCENDING), ("received_at", ASCENDING)], name="status")]


class AccessChange(Document):
    """Written whenever a subscription's `access_until` changes. `_id` makes it one per change."""

    id: str  # type: ignore[assignment]
    user_id: PydanticObjectId
    razorpay_subscription_id: str
    before: datetime | None
    after: datetime | None
    reason: str
    source: str
    at: datetime

    class Settings:
        name = "access_changes"
        indexes = [IndexModel([("user_id", ASCENDING), ("at", DESCENDING)], name="user_at")]
