"""An asyncio-aware circuit breaker: closed → open after N failures → one half-open trial.

State changes happen only between awaits on one event loop, so no lock is needed. It is not
meant to be shared across event loops or threads.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from api.gateway.errors import GatewayCircuitOpen

T = TypeVar("T")


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int,
        reset_after_seconds: float,
        is_failure: Callable[[BaseException], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or reset_after_seconds <= 0:
            raise ValueError("a breaker needs a threshold >= 1 and a positive reset window")
        self._threshold = failure_threshold
        self._reset_after = reset_after_seconds
        self._is_failure = is_failure
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._remaining_open() <= 0:
            return BreakerState.HALF_OPEN
        return self._state

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run `operation` unless the breaker is open; raises `GatewayCircuitOpen` if it is."""
        is_trial = self._admit()
        try:
            result = await operation()
        except Exception as exc:
            self._record(failed=self._is_failure(exc))
            raise
        finally:
            # Released even on cancellation, so a cancelled trial cannot wedge the breaker.
            if is_trial:
                self._trial_in_flight = False
        self._record(failed=False)
        return result

    def _admit(self) -> bool:
        """Whether this call is the half-open trial; raises when the call may not go out."""
        if self._state is BreakerState.OPEN:
            remaining = self._remaining_open()
            if remaining > 0:
                raise GatewayCircuitOpen(remaining)
            self._state = BreakerState.HALF_OPEN
        if self._state is BreakerState.HALF_OPEN:
            if self._trial_in_flight:
                raise GatewayCircuitOpen(0.0)
            self._trial_in_flight = True
            return True
        return False

    def _record(self, *, failed: bool) -> None:
        if not failed:
            # Any answer from Razorpay, including a 400, shows it is reachable.
            self._state = BreakerState.CLOSED
            self._failures = 0
            return
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or self._failures >= self._threshold:
            self._state = BreakerState.OPEN
            self._opened_at = self._clock()

    def _remaining_open(self) -> float:
        return self._opened_at + self._reset_after - self._clock()
