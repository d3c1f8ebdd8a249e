"""Billing-cycle arithmetic.

Razorpay puts cycle boundaries at 00:00 IST (18:30 UTC) on the calendar day one period after the
cycle's anchor, while the very first `current_start` is the real authentication time (FACTS §3,
observed in its samples). Boundaries are counted from the anchor, not chained, so a 31st-of-month
anchor does not drift to the 28th forever after February.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30))
DAY = 86_400

PERIODS = ("daily", "weekly", "monthly", "quarterly", "yearly")
_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def shift(day: date, period: str, steps: int) -> date:
    if period == "daily":
        return day + timedelta(days=steps)
    if period == "weekly":
        return day + timedelta(weeks=steps)
    return add_months(day, _MONTHS[period] * steps)


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def boundary(anchor: int, period: str, interval: int, cycles: int) -> int:
    """Start of cycle number `cycles` (0 = the anchor itself)."""
    if cycles == 0:
        return anchor
    local = datetime.fromtimestamp(anchor, IST).date()
    day = shift(local, period, interval * cycles)
    return int(datetime.combine(day, time(0), IST).timestamp())
