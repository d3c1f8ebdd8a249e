"""The scheduled reconciliation: each window run once, whichever processes reach it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from api.billing.reconcile_runs import run_window, window_start
from api.documents import ReconciliationRun
from api.reconcile_job import reconciling
from api.services import Services
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")
DAY = timedelta(hours=24)
RECENT = timedelta(days=35)


async def test_windows_are_whole_intervals_from_the_epoch() -> None:
    noon = datetime(2026, 5, 17, 12, 30, tzinfo=UTC)
    assert window_start(noon, DAY) == datetime(2026, 5, 17, tzinfo=UTC)
    assert window_start(noon, timedelta(hours=6)) == datetime(2026, 5, 17, 12, tzinfo=UTC)


async def test_a_window_is_run_by_one_of_the_processes_that_reach_it(
    sandbox: SandboxDriver, services: Services
) -> None:
    # when three processes reach the same window at once, and one comes back later
    reports = await asyncio.gather(
        *(run_window(services.billing, interval=DAY, recent=RECENT) for _ in range(3))
    )
    later = await run_window(services.billing, interval=DAY, recent=RECENT)

    # then exactly one ran it, and recorded the run
    assert sum(report is not None for report in reports) == 1
    assert later is None
    [recorded] = await ReconciliationRun.find_all().to_list()
    start = window_start(services.billing.now(), DAY)
    assert recorded.id == f"reconcile:{start.isoformat()}"
    assert recorded.finished_at is not None


async def until_a_run_finished() -> None:
    finished = ReconciliationRun.find(ReconciliationRun.finished_at != None)  # noqa: E711
    # Polling the database: the run happens in a task that signals nothing else.
    while not await finished.count():  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def test_the_schedule_runs_its_window_and_stops_with_the_app(
    sandbox: SandboxDriver, services: Services
) -> None:
    # given the schedule running, with no wait before its first look
    async with reconciling(services.billing, interval=DAY, recent=RECENT, first_look=0):
        # then the window is run (a generous bound: this is liveness, not speed)
        async with asyncio.timeout(20):
            await until_a_run_finished()
    # and after it stopped, nothing more runs: one run recorded
    assert await ReconciliationRun.count() == 1


async def test_no_interval_schedules_nothing(services: Services) -> None:
    async with reconciling(services.billing, interval=None, recent=RECENT, first_look=0):
        await asyncio.sleep(0)
    assert await ReconciliationRun.count() == 0
