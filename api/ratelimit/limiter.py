"""`SlotLimiter`: fixed windows, one claimed slot per call, exact across processes.

Taking call n of window w for key k is inserting `{_id: "k:w:n"}`; the unique `_id` gives each
slot to one caller, on MongoDB and FerretDB alike (FerretDB's conditional updates are not
atomic, and `limits`' Mongo storage needs TTL indexes and pipeline updates it lacks). Every
caller claims the lowest slot it has not seen taken, so the taken slots of a window are always
1..c: a caller that lost slot n to a concurrent one moves on to n+1, and a window whose slot
`limit` is taken is full.

Only inserts touch the database: FerretDB answers a read of this collection by scanning it
(130 ms at 5000 slots), an insert through its unique index (~1 ms). Each process remembers
the highest slot it knows taken per live window (`_seen`), so a call let through is one insert,
plus one per slot other processes took since this one last looked. A refusal reads the
window's first and last slots by `_id` (point reads, not scans): when either is gone, the
window's slots were deleted under us (an operator resetting a budget) and refilled from where
this process's memory stood, so this caller counts again from slot 1, claiming the slots the
memory skipped; concurrent callers after a reset still get exactly the budget.

Finished windows are deleted at most once a minute per process, by one delete of everything
expired, never per call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from api.clock import Clock
from api.ratelimit.rate import Rate

SWEEP_EVERY = timedelta(minutes=1)
# A window is deleted this long after it ends: processes whose clocks run a little behind may
# still be counting it.
SWEEP_GRACE = timedelta(minutes=1)
MOST_REMEMBERED = 100_000  # windows; past it the memory is dropped (it only saves inserts)


@dataclass(frozen=True)
class Limited:
    """Refused: the budget is spent until its window ends, `retry_after` seconds from now."""

    retry_after: int


@dataclass(frozen=True)
class Window:
    index: int
    end: datetime

    @classmethod
    def containing(cls, now: datetime, per: timedelta) -> Window:
        seconds = int(per.total_seconds())
        index = int(now.timestamp()) // seconds
        return cls(index, datetime.fromtimestamp((index + 1) * seconds, UTC))

    def seconds_left(self, now: datetime) -> int:
        return max(1, math.ceil((self.end - now).total_seconds()))


class SlotLimiter:
    def __init__(self, slots: AsyncCollection[dict[str, Any]], clock: Clock) -> None:
        self._slots = slots
        self._clock = clock
        self._seen: dict[str, tuple[int, datetime]] = {}  # bucket -> (slots known taken, end)
        self._next_sweep: datetime | None = None

    async def take(self, key: str, rate: Rate) -> Limited | None:
        """One call from `key`'s budget; None when it was let through."""
        now = self._clock.now()
        await self._sweep_if_due(now)
        window = Window.containing(now, rate.per)
        bucket = f"{key}:{window.index}"
        if self._known_taken(bucket) >= rate.calls:
            if await self._full(bucket, rate.calls):
                return Limited(retry_after=window.seconds_left(now))
            self._seen.pop(bucket, None)  # its slots were deleted: count again from slot 1
        for n in range(self._known_taken(bucket) + 1, rate.calls + 1):
            claimed = await self._claim(bucket, n, window.end)
            self._saw(bucket, n, window.end)
            if claimed:
                return None
        return Limited(retry_after=window.seconds_left(now))

    async def _full(self, bucket: str, calls: int) -> bool:
        """Whether the window's first and last slots are both taken."""
        for n in (1, calls):
            if await self._slots.find_one({"_id": f"{bucket}:{n}"}, {"_id": 1}) is None:
                return False
        return True

    async def _claim(self, bucket: str, n: int, expires_at: datetime) -> bool:
        try:
            await self._slots.insert_one(
                {"_id": f"{bucket}:{n}", "bucket": bucket, "expires_at": expires_at}
            )
        except DuplicateKeyError:
            return False
        return True

    def _known_taken(self, bucket: str) -> int:
        seen = self._seen.get(bucket)
        return seen[0] if seen else 0

    def _saw(self, bucket: str, n: int, end: datetime) -> None:
        if n > self._known_taken(bucket):  # concurrent calls of this process may be further on
            self._seen[bucket] = (n, end)

    async def _sweep_if_due(self, now: datetime) -> None:
        if self._next_sweep is not None and now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY  # before the await: concurrent calls skip it
        live = {b: seen for b, seen in self._seen.items() if seen[1] > now}
        self._seen = live if len(live) < MOST_REMEMBERED else {}
        await self._slots.delete_many({"expires_at": {"$lt": now - SWEEP_GRACE}})
