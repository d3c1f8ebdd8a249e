"""What may be granted: a plan of the catalog above the default one, until a moment ahead."""

from __future__ import annotations

from datetime import datetime, timedelta

from api.billing.outcomes import FailureCode, Problem
from api.catalog.model import Catalog, Plan

# Far enough for any comp staff give on purpose; a year typed as 20255 is refused.
LONGEST = timedelta(days=3 * 366)


def grantable(catalog: Catalog, code: str, until: datetime, now: datetime) -> Plan | Problem:
    plan = catalog.plan(code)
    if plan is None:
        return Problem(FailureCode.UNKNOWN_PLAN, f"The catalog has no plan {code[:40]!r}.")
    if plan.rank == catalog.default_plan.rank:
        return Problem(
            FailureCode.PLAN_NOT_GRANTABLE,
            f"{plan.name} is every user's plan already; grant a plan above it.",
        )
    if until <= now:
        return Problem(FailureCode.INVALID_UNTIL, "`until` must be in the future.")
    if until - now > LONGEST:
        return Problem(
            FailureCode.INVALID_UNTIL, f"`until` is at most {LONGEST.days} days from now."
        )
    return plan


def live(until: datetime, now: datetime) -> bool:
    return now < until
