"""The lifecycle table row by row, and the fold's promise: same observations, same access."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from api.billing.subscription.lifecycle import (
    TABLE,
    Decision,
    Fold,
    Observation,
    apply,
    changes,
    derive,
)
from api.documents.subscriptions import AccessReason, Snapshot
from api.statuses import SubscriptionStatus as Status

T0 = datetime(2026, 1, 1, tzinfo=UTC)
MONTH = timedelta(days=30)
GRACE = timedelta(days=3)


def snapshot(
    *,
    status: Status,
    paid_count: int = 1,
    period: int = 1,
    at: datetime | None = None,
    ended_at: datetime | None = None,
    id: str | None = None,
) -> Observation:
    """A snapshot of a monthly subscription whose `period`-th cycle is current."""
    start = T0 + (period - 1) * MONTH
    return Observation(
        id=id or f"{status}:{paid_count}:{period}",
        observed_at=at or start + timedelta(minutes=1),
        snapshot=Snapshot(
            status=status,
            paid_count=paid_count,
            current_start=start,
            current_end=start + MONTH,
            ended_at=ended_at,
        ),
    )


def decided(decision: Decision, *, at: datetime, on: Observation | None = None) -> Observation:
    """A decision of this service's, made on the snapshot of `on` (or on none)."""
    made_on = on.snapshot if on else None
    return Observation(id=f"{decision}:{at}", observed_at=at, snapshot=made_on, decision=decision)


def paid_state() -> Fold:
    """A subscription paid through the end of its first cycle."""
    return derive([snapshot(status=Status.ACTIVE)], grace=GRACE)


NOW = T0 + timedelta(days=10)

# row -> (status after, access_until after), from a state paid through T0 + MONTH
EXPECTED: dict[Status | Decision, tuple[Status, datetime | None]] = {
    Status.CREATED: (Status.CREATED, T0 + MONTH),
    Status.AUTHENTICATED: (Status.AUTHENTICATED, T0 + MONTH),
    Status.ACTIVE: (Status.ACTIVE, T0 + 2 * MONTH),
    Status.PENDING: (Status.PENDING, T0 + MONTH + GRACE),
    Status.HALTED: (Status.HALTED, T0 + MONTH + GRACE),
    Status.CANCELLED: (Status.CANCELLED, NOW),
    Status.COMPLETED: (Status.COMPLETED, T0 + 2 * MONTH),
    Status.EXPIRED: (Status.EXPIRED, T0 + MONTH),
    Status.PAUSED: (Status.PAUSED, NOW),
    Decision.CANCEL_REQUESTED: (Status.ACTIVE, T0 + MONTH),
    Decision.ACCESS_REVOKED: (Status.ACTIVE, NOW),
}


def row_observation(row: Status | Decision) -> Observation:
    if isinstance(row, Decision):
        return decided(row, at=NOW, on=paid_snapshot())
    paid = row in (Status.ACTIVE, Status.COMPLETED)
    return snapshot(
        status=row,
        paid_count=2 if paid else 1,
        period=2 if paid else 1,
        at=NOW,
        ended_at=NOW if row is Status.CANCELLED else None,
    )


def test_every_row_of_the_table_has_an_expectation() -> None:
    assert set(EXPECTED) == set(TABLE)


@pytest.mark.parametrize("row", list(EXPECTED), ids=str)
def test_each_row_moves_status_and_access_as_the_table_says(row: Status | Decision) -> None:
    # given a subscription paid through the end of its first cycle
    fold = paid_state()

    # when the row's observation arrives
    after = apply(fold, row_observation(row), grace=GRACE).state

    # then
    assert (after.razorpay.status, after.access_until) == EXPECTED[row]


def test_an_unpaid_activation_grants_nothing() -> None:
    unpaid = snapshot(status=Status.ACTIVE, paid_count=0)

    assert derive([unpaid], grace=GRACE).state.access_until is None


def test_cancel_at_period_end_keeps_access_until_the_paid_period_ends() -> None:
    requested = decided(Decision.CANCEL_REQUESTED, at=NOW, on=paid_snapshot())
    ended = snapshot(status=Status.CANCELLED, at=T0 + MONTH, ended_at=T0 + MONTH)

    flagged = derive([paid_snapshot(), requested], grace=GRACE).state
    final = derive([paid_snapshot(), requested, ended], grace=GRACE).state

    assert (flagged.cancel_at_period_end, flagged.access_until) == (True, T0 + MONTH)
    assert (final.razorpay.status, final.access_until, final.access_reason) == (
        Status.CANCELLED,
        T0 + MONTH,
        AccessReason.CANCELLED_AT_PERIOD_END,
    )


def test_a_revoked_grant_is_not_restored_by_a_late_charge() -> None:
    revoked = decided(Decision.ACCESS_REVOKED, at=NOW)
    late_charge = snapshot(status=Status.ACTIVE, at=T0 + timedelta(minutes=2), id="late")

    state = derive([paid_snapshot(), revoked, late_charge], grace=GRACE).state

    assert (state.access_until, state.revoked) == (NOW, True)


def test_a_halted_subscription_loses_access_when_grace_ends() -> None:
    failures = [
        snapshot(status=Status.PENDING, at=T0 + MONTH + timedelta(days=d), id=f"p{d}")
        for d in range(3)
    ]
    halted = snapshot(status=Status.HALTED, at=T0 + MONTH + GRACE)

    state = derive([paid_snapshot(), *failures, halted], grace=GRACE).state

    assert (state.razorpay.status, state.access_until) == (Status.HALTED, T0 + MONTH + GRACE)


def test_recovery_after_a_failed_renewal_grants_the_new_period() -> None:
    pending = snapshot(status=Status.PENDING, at=T0 + MONTH)
    recovered = snapshot(status=Status.ACTIVE, paid_count=2, period=2)

    state = derive([paid_snapshot(), pending, recovered], grace=GRACE).state

    assert (state.razorpay.status, state.access_until) == (Status.ACTIVE, T0 + 2 * MONTH)


def paid_snapshot() -> Observation:
    return snapshot(status=Status.ACTIVE, id="first-charge")


JOURNEY = [
    snapshot(status=Status.ACTIVE, id="a1"),
    paid_snapshot(),
    snapshot(status=Status.ACTIVE, paid_count=2, period=2, id="c2"),
    snapshot(status=Status.PENDING, paid_count=2, period=2, at=T0 + 2 * MONTH, id="p1"),
    snapshot(
        status=Status.CANCELLED,
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
    assert (in_order.state.razorpay.status, in_order.state.access_until) == (
        Status.CANCELLED,
        T0 + 2 * MONTH + timedelta(days=1),
    )


def test_duplicates_change_nothing() -> None:
    assert derive(JOURNEY + JOURNEY, grace=GRACE) == derive(JOURNEY, grace=GRACE)


def test_an_observation_older_than_what_is_known_that_adds_nothing_is_stale() -> None:
    # given a subscription paid, then cancelled
    cancelled = snapshot(status=Status.CANCELLED, at=NOW, ended_at=NOW, id="x")
    late_activation = snapshot(status=Status.ACTIVE, at=T0 + timedelta(seconds=30), id="late")

    # then the activation arriving late changes nothing; the cancellation did
    known = [paid_snapshot(), cancelled, late_activation]
    assert changes(known, "late", grace=GRACE) is False
    assert changes(known, "x", grace=GRACE) is True


def test_an_older_observation_that_repeats_what_is_known_is_stale() -> None:
    # given a paid subscription as fetched, and the webhook of that charge arriving after it
    fetched = snapshot(status=Status.ACTIVE, at=T0 + timedelta(minutes=2), id="fetched")
    charged = snapshot(status=Status.ACTIVE, at=T0 + timedelta(minutes=1), id="charged")

    # then the webhook is stale: it would only have been first to say what the fetch says
    assert changes([fetched, charged], "charged", grace=GRACE) is False


def test_the_latest_word_of_razorpay_is_not_stale_even_when_it_repeats_what_is_known() -> None:
    # given a paid subscription, and the same snapshot fetched a minute later
    fetched_again = snapshot(status=Status.ACTIVE, at=T0 + timedelta(minutes=2), id="fetched")

    # then the later fetch moves the fold forward: nothing newer was known
    assert changes([paid_snapshot(), fetched_again], "fetched", grace=GRACE) is True
