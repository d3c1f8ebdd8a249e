"""Calls taken from rate-limit budgets (`api.ratelimit`): one document per call let through."""

from __future__ import annotations

from datetime import datetime

from beanie import Document
from pymongo import ASCENDING, IndexModel


class RateSlot(Document):
    """Slot n of a budget's window: `_id` is `<budget>:<who>:<window>:<n>`, so the unique `_id`
    gives each slot to one call. Written and read by `SlotLimiter` with plain inserts."""

    id: str  # type: ignore[assignment]
    bucket: str  # `<budget>:<who>:<window>`: counted to find the next free slot
    expires_at: datetime  # the window's end: swept some time after it

    class Settings:
        name = "rate_slots"
        indexes = [
            IndexModel([("bucket", ASCENDING)], name="bucket"),
            IndexModel([("expires_at", ASCENDING)], name="expires_at"),
        ]
