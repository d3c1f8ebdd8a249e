"""The usage ledger: one document per recorded or released quantity, never changed once written."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel


class UsageDirection(StrEnum):
    RECORD = "record"
    RELEASE = "release"


class UsageEntry(Document):
    """Entry `seq` of a counter (a user's limit in one window). `_id` is `<counter>#<seq>`, so the
    unique `_id` gives entry n+1 to one writer; `cause` (`<user id>:<idempotency key>`) is unique
    too, so a key is spent once. `total` is the counter's usage after this entry.

    Read by `_id` only on the hot path (FerretDB pushes nothing else down): the latest entry by
    probing seqs (`api.billing.usage.tips`), a key's entry through its `UsageKey`."""

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
            IndexModel([("cause", ASCENDING)], name="cause_unique", unique=True),
        ]


class UsageKey(Document):
    """Which entry an idempotency key made: `_id` is the entry's `cause`. Written after the entry,
    so it may be missing for a moment (or for good, if the process died between): the entry's
    unique `cause` is what spends a key, this only finds its entry with one `_id` read."""

    id: str  # type: ignore[assignment]
    entry_id: str

    class Settings:
        name = "usage_keys"
