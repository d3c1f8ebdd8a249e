"""The injectable clock: every reading of "now" in the service and the sandbox goes through it.

In the embedded default the service and its Razorpay sandbox share one `MovableClock`, so moving
the sandbox's time forward (to run renewals) also moves the time entitlements are checked against.
The sandbox imports nothing from here: `MovableClock` fits its own `razorpay_sandbox.clock.Clock`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class MovableClock:
    """Wall-clock time plus an offset that only grows; safe to read from any thread."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        if offset < timedelta(0):
            raise ValueError("a clock offset cannot be negative")
        self._offset = offset
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += by
            return datetime.now(UTC) + self._offset
