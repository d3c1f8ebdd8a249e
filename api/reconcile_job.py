"""The scheduled reconciliation: each window once, across every process of the service.

Every process runs this loop; a window's run is claimed by a unique insert
(`api.billing.reconcile_runs.run`, under the window's run id), so one of them runs it and the
others find it taken; its `reconciled` line names the window's run id.
The first look comes a while after start, when the service (and, in development, the sandbox it
serves) is answering. A run that fails is logged; the next window's run repairs what it left.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog

from api.background import running
from api.billing.deps import Billing
from api.billing.reconcile_runs import run, window_run_id, window_start

FIRST_LOOK_SECONDS = 60.0
# The clock can be moved (the sandbox's, in development): look again at least this often.
MAX_SLEEP_SECONDS = 600.0
log = structlog.get_logger("reconcile")


@asynccontextmanager
async def reconciling(
    billing: Billing,
    *,
    interval: timedelta | None,
    recent: timedelta,
    first_look: float = FIRST_LOOK_SECONDS,
) -> AsyncIterator[None]:
    """Runs the schedule while the app runs (never, with no interval); cancelled at shutdown."""
    if interval is None:
        yield
        return
    async with running(_schedule(billing, interval, recent, first_look)):
        yield


async def _schedule(
    billing: Billing, interval: timedelta, recent: timedelta, first_look: float
) -> None:
    await asyncio.sleep(first_look)
    while True:
        await _once(billing, interval, recent)
        now = billing.now()
        until_next = (window_start(now, interval) + interval - now).total_seconds()
        await asyncio.sleep(min(max(until_next, 1.0), MAX_SLEEP_SECONDS))


async def _once(billing: Billing, interval: timedelta, recent: timedelta) -> None:
    run_id = window_run_id(billing.now(), interval)
    try:
        report = await run(billing, run_id=run_id, recent=recent)
    except Exception:
        log.exception("reconcile_failed")
        return
    if report is not None:
        summary = report.as_dict()
        log.info(
            "reconciled", run_id=run_id, **{k: v for k, v in summary.items() if k != "findings"}
        )
        for finding in summary["findings"]:
            log.warning("reconcile_drift", **finding)
