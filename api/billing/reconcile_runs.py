"""Reconciliation runs: from when each reads Razorpay's payment list, and who runs a window.

A scheduled window is claimed by inserting its run under `reconcile:<window start>`: the unique
`_id` lets one process of many win it (FerretDB has no atomic conditional update to decide it).
A run's payment list starts where the last finished run started, less an overlap for payments
created while it ran; a first run reads back `recent`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from beanie import SortDirection
from pymongo.errors import DuplicateKeyError

from api.billing.deps import Billing
from api.billing.reconcile import Report, reconcile
from api.documents import ReconciliationRun

OVERLAP = timedelta(hours=1)


async def since_last_run(now: datetime, *, recent: timedelta) -> datetime:
    last = (
        await ReconciliationRun.find(ReconciliationRun.finished_at != None)  # noqa: E711
        .sort([("finished_at", SortDirection.DESCENDING)])
        .first_or_none()
    )
    return last.started_at - OVERLAP if last else now - recent


def window_start(now: datetime, interval: timedelta) -> datetime:
    """The start of the window `now` falls in: windows are `interval` long from the epoch."""
    epoch = datetime(1970, 1, 1, tzinfo=now.tzinfo)
    return epoch + ((now - epoch) // interval) * interval


def window_run_id(now: datetime, interval: timedelta) -> str:
    """The run id that claims the window `now` falls in."""
    return f"reconcile:{window_start(now, interval).isoformat()}"


async def run_window(billing: Billing, *, interval: timedelta, recent: timedelta) -> Report | None:
    """Run this window's reconciliation, unless another process claimed it first (None)."""
    return await run(billing, run_id=window_run_id(billing.now(), interval), recent=recent)


async def run(
    billing: Billing,
    *,
    run_id: str,
    recent: timedelta,
    since: datetime | None = None,
    dry_run: bool = False,
) -> Report | None:
    """Claim `run_id`, reconcile, and record the run; None when `run_id` was claimed already.
    A dry run claims nothing and stores nothing."""
    now = billing.now()
    since = since or await since_last_run(now, recent=recent)
    if dry_run:
        return await reconcile(billing, since=since, recent=recent, dry_run=True)
    claim = ReconciliationRun(id=run_id, started_at=now, since=since)
    try:
        await claim.insert()
    except DuplicateKeyError:
        return None
    report = await reconcile(billing, since=since, recent=recent)
    finished = {"finished_at": billing.now(), "found": len(report.findings)}
    await claim.set({**finished, "repaired": report.repaired})
    return report
