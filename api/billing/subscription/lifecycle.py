"""The subscription lifecycle as one table, and the fold that turns observations into access.

Every observation of a subscription (a webhook's snapshot, a fetched snapshot, a local decision)
is looked up in `TABLE` by (Razorpay status, event) to find its effect on access. `derive` sorts
the observations by `rank` — Razorpay's own counters and timestamps — and folds them in that
order, so the result is the same whatever order they arrived in, and however often.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Effect(StrEnum):
    GRANT = "grant"  # paid: access until the end of the paid period
    GRACE = "grace"  # a renewal failed: access until the paid period's end plus grace
    END = "end"  # cancelled: access ends when the subscription ended (now, or at period end)
    SUSPEND = "suspend"  # paused: no access while paused
    REVOKE = "revoke"  # a refund revoked access: ends now, and nothing grants it again
    FLAG_CANCEL = "flag_cancel"  # cancel at period end requested: access unchanged
    NONE = "none"  # no access granted or taken


@dataclass(frozen=True)
class Transition:
    status: str
    effect: Effect


# Local events: what this service itself decided or fetched.
FETCHED = "fetched"
CANCEL_REQUESTED = "cancel_at_period_end.requested"
ACCESS_REVOKED = "access.revoked"

TABLE: dict[tuple[str, str], Transition] = {
    ("created", FETCHED): Transition("created", Effect.NONE),
    ("authenticated", "subscription.authenticated"): Transition("authenticated", Effect.NONE),
    ("authenticated", FETCHED): Transition("authenticated", Effect.NONE),
    ("active", "subscription.activated"): Transition("active", Effect.GRANT),
    ("active", "subscription.charged"): Transition("active", Effect.GRANT),
    ("active", "subscription.resumed"): Transition("active", Effect.GRANT),
    ("active", "subscription.updated"): Transition("active", Effect.GRANT),
    ("active", FETCHED): Transition("active", Effect.GRANT),
    ("pending", "subscription.pending"): Transition("pending", Effect.GRACE),
    ("pending", FETCHED): Transition("pending", Effect.GRACE),
    ("halted", "subscription.halted"): Transition("halted", Effect.GRACE),
    ("halted", FETCHED): Transition("halted", Effect.GRACE),
    ("cancelled", "subscription.cancelled"): Transition("cancelled", Effect.END),
    ("cancelled", FETCHED): Transition("cancelled", Effect.END),
    ("completed", "subscription.completed"): Transition("completed", Effect.GRANT),
    ("completed", "subscription.charged"): Transition("completed", Effect.GRANT),
    ("completed", FETCHED): Transition("completed", Effect.GRANT),
    ("expired", FETCHED): Transition("expired", Effect.NONE),
    ("paused", "subscription.paused"): Transition("paused", Effect.SUSPEND),
    ("paused", FETCHED): Transition("paused", Effect.SUSPEND),
}
LOCAL_EFFECTS: dict[str, Effect] = {
    CANCEL_REQUESTED: Effect.FLAG_CANCEL,
    ACCESS_REVOKED: Effect.REVOKE,
}
TERMINAL = frozenset({"cancelled", "completed", "expired"})
STATUS_ORDER = {
    s: i
    for i, s in enumerate(
        [
            "created",
            "authenticated",
            "active",
            "paused",
            "pending",
            "halted",
            "expired",
            "completed",
            "cancelled",
        ]
    )
}


def transition(status: str, event: str) -> Transition:
    """The table's row; an event not listed for a status means what a fetch of it would."""
    found = TABLE.get((status, event)) or TABLE.get((status, FETCHED))
    return found or Transition(status, Effect.NONE)


@dataclass(frozen=True)
class Observation:
    id: str
    event: str
    observed_at: datetime
    status: str | None = None  # None for local events, which carry no snapshot
    paid_count: int = 0
    current_start: datetime | None = None
    current_end: datetime | None = None
    charge_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def rank(self) -> tuple[int, ...]:
        """Forward progress as Razorpay counts it; a higher rank is a later state."""
        terminal = self.status in TERMINAL or self.event == ACCESS_REVOKED
        return (
            int(terminal),
            self.paid_count,
            _ts(self.current_end),
            _ts(self.observed_at),
            STATUS_ORDER.get(self.status or "", -1),
        )


@dataclass(frozen=True)
class Derived:
    status: str = "created"
    current_start: datetime | None = None
    current_end: datetime | None = None
    charge_at: datetime | None = None
    ended_at: datetime | None = None
    paid_count: int = 0
    paid_through: datetime | None = None
    access_until: datetime | None = None
    access_reason: str = "not paid yet"
    cancel_at_period_end: bool = False
    revoked: bool = False
    rank: tuple[int, ...] = ()
    cause: str | None = None  # the observation that last changed access


def derive(observations: Iterable[Observation], *, grace: timedelta) -> Derived:
    state = Derived()
    for observation in sorted(observations, key=lambda o: (o.rank, o.id)):
        state = apply(state, observation, grace=grace)
    return state


def apply(state: Derived, obs: Observation, *, grace: timedelta) -> Derived:
    if obs.status is None:
        effect = LOCAL_EFFECTS.get(obs.event, Effect.NONE)
    else:
        effect = transition(obs.status, obs.event).effect
        state = replace(
            state,
            status=obs.status,
            current_start=obs.current_start,
            current_end=obs.current_end,
            charge_at=obs.charge_at,
            ended_at=obs.ended_at,
            paid_count=max(state.paid_count, obs.paid_count),
        )
    state = replace(state, rank=max(state.rank, obs.rank))
    return _with_access(state, effect, obs, grace)


def _with_access(state: Derived, effect: Effect, obs: Observation, grace: timedelta) -> Derived:
    before = state.access_until
    state = _EFFECTS[effect](state, obs, grace)
    return state if state.access_until == before else replace(state, cause=obs.id)


def _grant(state: Derived, obs: Observation, grace: timedelta) -> Derived:
    if obs.paid_count < 1 or obs.current_end is None:
        return state
    paid_through = _later(state.paid_through, obs.current_end)
    if state.revoked:
        return replace(state, paid_through=paid_through)
    return replace(
        state, paid_through=paid_through, access_until=paid_through, access_reason="paid"
    )


def _grace(state: Derived, obs: Observation, grace: timedelta) -> Derived:
    if state.paid_through is None or state.revoked:
        return state
    return replace(
        state, access_until=state.paid_through + grace, access_reason="renewal failed: grace period"
    )


def _end(state: Derived, obs: Observation, grace: timedelta) -> Derived:
    ended = obs.ended_at or obs.observed_at
    at_period_end = state.paid_through is not None and ended >= state.paid_through
    reason = "cancelled at period end" if at_period_end else "cancelled"
    return replace(state, access_until=_earlier(state.access_until, ended), access_reason=reason)


def _suspend(state: Derived, obs: Observation, grace: timedelta) -> Derived:
    return replace(
        state, access_until=_earlier(state.access_until, obs.observed_at), access_reason="paused"
    )


def _revoke(state: Derived, obs: Observation, grace: timedelta) -> Derived:
    until = _earlier(state.access_until, obs.observed_at)
    return replace(
        state, revoked=True, access_until=until, access_reason="access revoked by a refund"
    )


def _flag_cancel(state: Derived, obs: Observation, grace: timedelta) -> Derived:
    return replace(state, cancel_at_period_end=True)


def _none(state: Derived, obs: Observation, grace: timedelta) -> Derived:
    return state


_EFFECTS = {
    Effect.GRANT: _grant,
    Effect.GRACE: _grace,
    Effect.END: _end,
    Effect.SUSPEND: _suspend,
    Effect.REVOKE: _revoke,
    Effect.FLAG_CANCEL: _flag_cancel,
    Effect.NONE: _none,
}


def _ts(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment else 0


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def _earlier(a: datetime | None, b: datetime) -> datetime | None:
    """The earlier of an access end and a cut-off; no access stays no access."""
    return None if a is None else min(a, b)
