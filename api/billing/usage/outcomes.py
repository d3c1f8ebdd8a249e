"""What recording, releasing and reading usage answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.billing.outcomes import FailureCode, Problem
from api.catalog.model import Limit, Plan

MAX_QUANTITY = 1_000_000  # per call: more is a caller's bug, not usage


@dataclass(frozen=True)
class Usage:
    """A counter as it stands: `used` of `allowed` (None: unlimited) until `resets_at`."""

    limit: Limit
    used: int
    allowed: int | None
    resets_at: datetime | None  # None: a count of live things, which never resets

    @property
    def remaining(self) -> int | None:
        return None if self.allowed is None else max(0, self.allowed - self.used)

    def admits(self, quantity: int) -> bool:
        return self.allowed is None or self.used + quantity <= self.allowed


@dataclass(frozen=True)
class LimitReached:
    """Recording `asked` more would pass the limit: nothing was recorded."""

    usage: Usage
    asked: int
    lifting: Plan | None  # the cheapest plan that allows it; None when none does


INVALID_QUANTITY = Problem(
    FailureCode.INVALID_QUANTITY, f"`quantity` must be between 1 and {MAX_QUANTITY:,}."
)
KEY_REUSED = Problem(
    FailureCode.IDEMPOTENCY_KEY_REUSED,
    "This idempotency key was used for a different request (feature, quantity or direction).",
)
CONTENDED = Problem(
    FailureCode.USAGE_CONTENDED,
    "Too many calls are recording this usage at once; nothing was recorded, try again.",
    retryable=True,
)


def not_releasable(limit: Limit) -> Problem:
    return Problem(
        FailureCode.NOT_RELEASABLE,
        f"{limit.name} is consumption per period: it resets by itself and cannot be released.",
    )


def releasing_more_than_used(used: int) -> Problem:
    return Problem(
        FailureCode.INVALID_QUANTITY, f"Only {used} in use: cannot release more than that."
    )
