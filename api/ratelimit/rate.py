"""`Rate`: so many calls per window, written `15/1h` in settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
LONGEST = timedelta(days=7)
WRITTEN = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*")


@dataclass(frozen=True)
class Rate:
    calls: int
    per: timedelta

    def __post_init__(self) -> None:
        if self.calls < 1:
            raise ValueError("a rate allows at least 1 call")
        if not timedelta(seconds=1) <= self.per <= LONGEST:
            raise ValueError("a rate's window is from 1 second to 7 days")
        if self.per.microseconds:
            raise ValueError("a rate's window is a whole number of seconds")

    @classmethod
    def parse(cls, written: object) -> object:
        """`15/1h`, `10/15m`, `120/m`: calls, then the window in s, m, h or d."""
        if not isinstance(written, str):
            return written
        found = WRITTEN.fullmatch(written)
        if found is None:
            raise ValueError("write a rate as <calls>/<window>, e.g. 15/1h, 10/15m or 120/1m")
        calls, amount, unit = found.groups()
        seconds = int(amount or 1) * UNITS[unit]
        return cls(calls=int(calls), per=timedelta(seconds=seconds))

    def __str__(self) -> str:
        seconds = int(self.per.total_seconds())
        for unit, size in sorted(UNITS.items(), key=lambda item: -item[1]):
            if seconds % size == 0:
                return f"{self.calls}/{seconds // size}{unit}"
        raise AssertionError("unreachable: a window is whole seconds, and `s` divides those")
