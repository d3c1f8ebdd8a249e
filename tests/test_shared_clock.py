"""With several workers, the sandbox's time (moved by a developer) is every worker's time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from api.clock import FollowingClock, SharedClock


def test_a_worker_sees_the_sandbox_clock_moved_forward(tmp_path: Path) -> None:
    # given the sandbox's clock in `serve`, and a worker's clock following it
    sandbox = SharedClock(tmp_path / "clock")
    worker = FollowingClock(tmp_path / "clock")
    assert abs(worker.now() - sandbox.now()) < timedelta(seconds=5)

    # when the sandbox's time is moved 40 days ahead
    sandbox.advance(timedelta(days=40))

    # then the worker's now is 40 days ahead too
    assert abs(worker.now() - sandbox.now()) < timedelta(seconds=5)
    assert sandbox.offset == timedelta(days=40)
