"""The refund of the unused part of the old period when a new subscription replaces it:
amount x unused seconds / period seconds, rounded down to the paisa, nothing under 100 paise."""

from __future__ import annotations

from api.billing.plan_change.refund import prorated


def test_the_refund_prorates_to_the_second_and_rounds_down() -> None:
    # a 10000-paise period of 30 days, a third unused, to the second
    assert prorated(10000, 30 * 86400, 10 * 86400) == 3333
    assert prorated(10000, 30 * 86400, 10 * 86400 + 1) == 3333  # rounded down to the paisa
    assert prorated(10000, 30 * 86400, 0) == 0
    assert prorated(10000, 30 * 86400, 40 * 86400) == 10000  # never more than was paid
    assert prorated(10000, 30 * 86400, 25919) == 0  # 99 paise: under Razorpay's minimum
    assert prorated(10000, 30 * 86400, 25920) == 100
