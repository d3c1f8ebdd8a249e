"""Reconciliation runs: each one's record, and the claim that lets one process run each window."""

from __future__ import annotations

from datetime import datetime

from beanie import Document
from pymongo import DESCENDING, IndexModel


class ReconciliationRun(Document):
    """One run. `_id` is `reconcile:<window start>` for a scheduled run, so of the processes
    that reach a window only the one whose insert wins runs it (a claim by unique index), or
    `reconcile:manual:<start>` for one asked for by hand. Dry runs store nothing."""

    id: str  # type: ignore[assignment]
    started_at: datetime
    since: datetime  # Razorpay's payment list was read from here
    finished_at: datetime | None = None
    found: int = 0
    repaired: int = 0

    class Settings:
        name = "reconciliation_runs"
        indexes = [IndexModel([("finished_at", DESCENDING)], name="finished")]
