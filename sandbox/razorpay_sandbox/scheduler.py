"""Time: finds what falls due and runs it in order, as the clock passes or is moved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from razorpay_sandbox.core import Core
from razorpay_sandbox.cycles import book
from razorpay_sandbox.lifecycle import Happening, run_due

Entity = dict[str, Any]
MAX_STEPS = 100_000


def due_at(core: Core, subscription: Entity) -> int | None:
    status = subscription["status"]
    if status == "created":
        # Not authenticated by expire_by (or by a future start_at): expired.
        deadlines = [t for t in (subscription["expire_by"], subscription["start_at"]) if t]
        return min(deadlines) if deadlines else None
    if status in ("active", "authenticated", "pending", "halted"):
        charge_at: int | None = subscription["charge_at"]
        end = subscription["current_end"]
        if book(core, subscription).cancel_at_cycle_end and end:
            # A pending cycle's retries still run; the cancellation waits for the cycle's end.
            return min(charge_at, end) if charge_at is not None else int(end)
        return charge_at
    return None


def next_due(core: Core) -> tuple[int, Entity] | None:
    due = [
        (at, subscription)
        for subscription in core.store.all("subscription")
        if (at := due_at(core, subscription)) is not None
    ]
    return min(due, key=lambda pair: (pair[0], pair[1]["created_at"])) if due else None


def run_until(core: Core, target: int) -> list[Happening]:
    """Run everything due up to `target`, moving the clock to each due time on the way."""
    happened: list[Happening] = []
    for _ in range(MAX_STEPS):
        found = next_due(core)
        if found is None or found[0] > target:
            return happened
        at, subscription = found
        move_to(core, at)
        happened.append(run_due(core, subscription))
        core.store.changed()
    raise RuntimeError("too many charges fall due at once; advance the clock in smaller steps")


def catch_up(core: Core) -> list[Happening]:
    return run_until(core, core.now())


def advance(core: Core, seconds: int) -> list[Happening]:
    """Move the clock by exactly `seconds`, running what falls due on the way."""
    goal = core.clock.offset + timedelta(seconds=seconds)
    happened = run_until(core, core.now() + seconds)
    rest = goal - core.clock.offset
    if rest > timedelta(0):
        core.clock.advance(rest)
    return happened


def move_to(core: Core, at: float) -> None:
    gap = at - core.clock.now().timestamp()
    if gap > 0:
        core.clock.advance(timedelta(seconds=gap))
