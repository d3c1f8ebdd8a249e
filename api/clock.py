"""The injectable clock: every reading of "now" in the service and the sandbox goes through it.

In the embedded default the service and its Razorpay sandbox share one `MovableClock`, so moving
the sandbox's time forward (to run renewals) also moves the time entitlements are checked against.
The sandbox imports nothing from here: `MovableClock` fits its own `razorpay_sandbox.clock.Clock`.
With several workers the sandbox runs once, in `serve`, on a `SharedClock`; each worker reads its
offset through a `FollowingClock`.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
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


class SharedClock(MovableClock):
    """A MovableClock whose offset other processes read from a file: the one `serve` gives its
    sandbox when workers run beside it, so moving the sandbox's time moves every worker's."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._offset_file = _OffsetFile(path, writable=True)
        self._offset_file.write(self._offset)

    def advance(self, by: timedelta) -> datetime:
        moved = super().advance(by)
        self._offset_file.write(self.offset)
        return moved


class FollowingClock:
    """Wall-clock time plus the offset a `SharedClock` in another process keeps in `path`."""

    def __init__(self, path: Path) -> None:
        self._offset_file = _OffsetFile(path, writable=False)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset_file.read()


class _OffsetFile:
    """Eight bytes, mapped into memory: the offset in microseconds. A read is a memory read, so
    every `now()` can afford it; the offset only grows, and only by a developer's command."""

    SIZE = 8

    def __init__(self, path: Path, *, writable: bool) -> None:
        flags = os.O_RDWR | os.O_CREAT if writable else os.O_RDONLY
        descriptor = os.open(path, flags, 0o600)
        try:
            if writable:
                os.ftruncate(descriptor, self.SIZE)
            access = mmap.ACCESS_WRITE if writable else mmap.ACCESS_READ
            self._map = mmap.mmap(descriptor, self.SIZE, access=access)
        finally:
            os.close(descriptor)

    def read(self) -> timedelta:
        (microseconds,) = struct.unpack_from("<q", self._map, 0)
        return timedelta(microseconds=microseconds)

    def write(self, offset: timedelta) -> None:
        struct.pack_into("<q", self._map, 0, offset // timedelta(microseconds=1))
