"""The one thing the sandbox takes from whoever runs it: a clock it can read and move forward.

An embedding service passes its own clock (any object with these members), so that moving the
sandbox's time to run renewals also moves the time the service judges access by.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC."""
        ...

    @property
    def offset(self) -> timedelta:
        """How far the clock has been moved ahead of wall-clock time (saved with the state)."""
        ...

    def advance(self, by: timedelta) -> datetime:
        """Move forward by `by` (never back); the new now."""
        ...
