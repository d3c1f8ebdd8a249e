"""The lifecycle table row by row, and the fold's promise: same observations, same access."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from api.billing.subscription.lifecycle import (
    ACCESS_REVOKED,
    CANCEL_REQUESTED,
    FETCHED,
    TABLE,
    Derived,
    Observation,
    apply,
    derive,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
MONTH = timedelta(days=30)
GRACE = timedelta(days=3)


def snapshot(
    *,
    status: str,
    event: str = FETCHED,
    paid_count: int = 1,
    period: int = 1,
    at: datetime | None = None,
    ended_at: datetime | None = None,
    id: str | None = None,
) -> Observation:
    """A snapshot of a monthly subscription whose `period`-th cycle is current."""
    start = T0 + (period - 1) * MONTH
    return Observation(
        id=id or f"{event}:{status}:{paid_count}:{period}",
        event=event,
        observed_at=at or start + timedelta(minutes=1),
        status=status,
        paid_count=paid_count,
        current_start=start,
        current_end=start + MONTH,
        ended_at=ended_at,
    )


def paid_state() -> Derived:
    """A subscription paid through the end of its first cycle."""
    return derive([snapshot(status="active", event="subscription.charged")], grace=GRACE)


NOW = T0 + timedelta(days=10)

# (status, event) -> (status after, access_until after, from a state paid through T0 + MONTH)
EXPECTED: dict[tuple[str, str], tuple[str, datetime | None]] = {
    ("created", FETCHED): ("created", T0 + MONTH),
    ("authenticated", "subscription.authenticated"): ("authenticated", T0 + MONTH),
    ("authenticated", FETCHED): ("authenticated", T0 + MONTH),
    ("active", "subscription.activated"): ("active", T0 + 2 * MONTH),
    ("active", "subscription.charged"): ("active", T0 + 2 * MONTH),
    ("active", "subscription.resumed"): ("active", T0 + 2 * MONTH),
    ("active", "subscription.updated"): ("active", T0 + 2 * MONTH),
    ("active", FETCHED): ("active", T0 + 2 * MONTH),
    ("pending", "subscription.pending"): ("pending", T0 + MONTH + GRACE),
    ("pending", FETCHED): ("pending", T0 + MONTH + GRACE),
    ("halted", "subscription.halted"): ("halted", T0 + MONTH + GRACE),
    ("halted", FETCHED): ("halted", T0 + MONTH + GRACE),
    ("cancelled", "subscription.cancelled"): ("cancelled", NOW),
    ("cancelled", FETCHED): ("cancelled", NOW),
    ("completed", "subscription.completed"): ("completed", T0 + 2 * MONTH),
    ("completed", "subscription.charged"): ("completed", T0 + 2 * MONTH),
    ("completed", FETCHED): ("completed", T0 + 2 * MONTH),
    ("expired", FETCHED): ("expired", T0 + MONTH),
    ("paused", "subscription.paused"): ("paused", NOW),
    ("paused", FETCHED): ("paused", NOW),
}


def row_observation(status: str, event: str) -> Observation:
    paid = status in ("active", "completed")
    return snapshot(
        status=status,
        event=event,
        paid_count=2 if paid else 1,
        period=2 if paid else 1,
        at=NOW,
        ended_at=NOW if status == "cancelled" else None,
    )


def test_every_row_of_the_table_has_an_expectation() -> None:
    assert set(EXPECTED) == set(TABLE)


@pytest.mark.parametrize(("status", "event"), sorted(EXPECTED), ids=lambda v: str(v))
def test_each_row_moves_status_and_access_as_the_table_says(status: str, event: str) -> None:
    # given a subscription paid through the end of its first cycle
    state = paid_state()

    # when the row's observation arrives
    after = apply(state, row_observation(status, event), grace=GRACE)

    # then
    assert (after.status, after.access_until) == EXPECTED[(status, event)]


def test_an_unpaid_activation_grants_nothing() -> None:
    unpaid = snapshot(status="active", event="subscription.activated", paid_count=0)

    assert derive([unpaid], grace=GRACE).access_until is None


def test_cancel_at_period_end_keeps_access_until_the_paid_period_ends() -> None:
    requested = Observation(id="c1", event=CANCEL_REQUESTED, observed_at=NOW, paid_count=1)
    ended = snapshot(
        status="cancelled", event="subscription.cancelled", at=T0 + MONTH, ended_at=T0 + MONTH
    )

    flagged = derive([paid_snapshot(), requested], grace=GRACE)
    final = derive([paid_snapshot(), requested, ended], grace=GRACE)

    assert (flagged.cancel_at_period_end, flagged.access_until) == (True, T0 + MONTH)
    assert (final.status, final.access_until, final.access_reason) == (
        "cancelled",
        T0 + MONTH,
        "cancelled at period end",
    )


def test_a_revoked_grant_is_not_restored_by_a_late_charge() -> None:
    revoked = Observation(id="r1", event=ACCESS_REVOKED, observed_at=NOW, paid_count=1)
    late_charge = snapshot(
        status="active", event="subscription.charged", at=T0 + timedelta(minutes=2)
    )

    state = derive([paid_snapshot(), revoked, late_charge], grace=GRACE)

    assert (state.access_until, state.revoked) == (NOW, True)


def test_a_halted_subscription_loses_access_when_grace_ends() -> None:
    failures = [
        snapshot(
            status="pending",
            event="subscription.pending",
            at=T0 + MONTH + timedelta(days=d),
            id=f"p{d}",
        )
        for d in range(3)
    ]
    halted = snapshot(status="halted", event="subscription.halted", at=T0 + MONTH + GRACE)

    state = derive([paid_snapshot(), *failures, halted], grace=GRACE)

    assert (state.status, state.access_until) == ("halted", T0 + MONTH + GRACE)


def test_recovery_after_a_failed_renewal_grants_the_new_period() -> None:
    pending = snapshot(status="pending", event="subscription.pending", at=T0 + MONTH)
    recovered = snapshot(status="active", event="subscription.charged", paid_count=2, period=2)

    state = derive([paid_snapshot(), pending, recovered], grace=GRACE)

    assert (state.status, state.access_until) == ("active", T0 + 2 * MONTH)


def paid_snapshot() -> Observation:
    return snapshot(status="active", event="subscription.charged", id="first-charge")


JOURNEY = [
    snapshot(status="active", event="subscription.activated", id="a1"),
    paid_snapshot(),
    snapshot(status="active", event="subscription.charged", paid_count=2, period=2, id="c2"),
    snapshot(
        status="pending",
        event="subscription.pending",
        paid_count=2,
        period=2,
        at=T0 + 2 * MONTH,
        id="p1",
    ),
    snapshot(
        status="cancelled",
        event="subscription.cancelled",
        paid_count=2,
        period=2,
        at=T0 + 2 * MONTH + timedelta(days=1),
        ended_at=T0 + 2 * MONTH + timedelta(days=1),
        id="x",
    ),
]


def test_every_arrival_order_of_a_journey_gives_the_same_state() -> None:
    in_order = derive(JOURNEY, grace=GRACE)

    outcomes = {derive(list(order), grace=GRACE) for order in itertools.permutations(JOURNEY)}

    assert outcomes == {in_order}
    assert (in_order.status, in_order.access_until) == (
        "cancelled",
        T0 + 2 * MONTH + timedelta(days=1),
    )


def test_duplicates_change_nothing() -> None:
    assert derive(JOURNEY + JOURNEY, grace=GRACE) == derive(JOURNEY, grace=GRACE)
