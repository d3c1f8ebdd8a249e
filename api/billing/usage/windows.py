"""Which window a use falls in, and when that window ends: consumption resets at 00:00 UTC.

A `per_period` limit counts per UTC day or per calendar month (UTC); a `count` limit counts live
things and never resets, so its one window is "ever".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api.catalog.model import Limit, Reset

EVER = "ever"


@dataclass(frozen=True)
class Window:
    key: str  # part of the counter's name
    resets_at: datetime | None  # None: never (a count of live things)


def window_of(limit: Limit, now: datetime) -> Window:
    utc = now.astimezone(UTC)
    if limit.reset is Reset.DAY:
        start = utc.replace(hour=0, minute=0, second=0, microsecond=0)
        return Window(start.strftime("%Y-%m-%d"), start + timedelta(days=1))
    if limit.reset is Reset.MONTH:
        start = utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        following = (start + timedelta(days=32)).replace(day=1)
        return Window(start.strftime("%Y-%m"), following)
    return Window(EVER, None)


def counter_of(user_id: str, limit: Limit, window: Window) -> str:
    return f"{user_id}:{limit.code}:{window.key}"
