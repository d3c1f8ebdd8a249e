"""Retrying a gateway call that is safe to repeat, with capped exponential backoff and jitter."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio

from api.gateway.errors import GatewayCallError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_seconds: float = 0.2
    max_delay_seconds: float = 2.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay_seconds < 0 or self.max_delay_seconds < 0:
            raise ValueError("attempts must be >= 1 and delays must not be negative")

    def delay_before(self, retry_number: int) -> float:
        """Half the capped exponential delay plus a random half, so callers spread out."""
        exponential = self.base_delay_seconds * 2.0 ** (retry_number - 1)
        ceiling = min(self.max_delay_seconds, exponential)
        # Jitter only de-synchronises clients; it needs no cryptographic randomness.
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311


async def call_with_retries(operation: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """Repeat `operation` while it fails with a retryable gateway error, up to the policy."""
    attempt = 1
    while True:
        try:
            return await operation()
        except GatewayCallError as exc:
            if not exc.retryable or attempt >= policy.attempts:
                raise
        await anyio.sleep(policy.delay_before(attempt))
        attempt += 1
