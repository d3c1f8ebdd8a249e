"""The usage ledger: one document per recorded or released quantity, never changed once written."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel


class UsageDirection(StrEnum):
    RECORD = "record"
    RELEASE = "release"


class UsageEntry(Document):
    """Entry `seq` of a counter (a user's limit in one window). `_id` is `<counter>#<seq>`, so the
    unique `_id` gives entry n+1 to one writer; `cause` (`<user id>:<idempotency key>`) is unique
    too, so a key is spent once. `total` is the counter's usage after this entry."""

    id: str  # type: ignore[assignment]
    counter: str  # `<user id>:<limit>:<window>`
    seq: int  # 1, 2, ... per counter
    user_id: PydanticObjectId
    limit_code: str
    window: str  # `2026-11-29`, `2026-11`, or `ever`
    cause: str
    direction: UsageDirection
    quantity: int  # positive; `direction` says which way
    total: int
    limit_at: int | None  # the plan's limit when written (None: unlimited): what a replay says
    at: datetime

    class Settings:
        name = "usage_entries"
        indexes = [
            IndexModel([("counter", ASCENDING), ("seq", DESCENDING)], name="counter_latest"),
            IndexModel([("cause", ASCENDING)], name="cause_unique", unique=True),
        ]
