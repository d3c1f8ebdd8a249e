"""Consumption windows are UTC days and calendar months; a count has one window, forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from api.billing.usage.windows import EVER, window_of
from api.catalog.model import Limit, LimitKind, Reset

DAILY = Limit("chats", "Chats", LimitKind.PER_PERIOD, Reset.DAY)
MONTHLY = Limit("ai_calls", "AI calls", LimitKind.PER_PERIOD, Reset.MONTH)
COUNT = Limit("projects", "Projects", LimitKind.COUNT, None)
IST = timezone(timedelta(hours=5, minutes=30))


def test_a_day_ends_at_midnight_utc_not_at_midnight_where_the_user_is() -> None:
    # given 01:00 on 1 March in India, which is still 28 February in UTC
    window = window_of(DAILY, datetime(2027, 3, 1, 1, 0, tzinfo=IST))

    assert window.key == "2027-02-28"
    assert window.resets_at == datetime(2027, 3, 1, tzinfo=UTC)


def test_a_month_ends_on_the_first_of_the_next_even_across_a_year() -> None:
    window = window_of(MONTHLY, datetime(2026, 12, 31, 23, 59, tzinfo=UTC))

    assert window.key == "2026-12"
    assert window.resets_at == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_count_never_resets() -> None:
    window = window_of(COUNT, datetime(2026, 11, 29, tzinfo=UTC))

    assert (window.key, window.resets_at) == (EVER, None)
