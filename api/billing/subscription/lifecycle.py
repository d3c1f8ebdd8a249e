"""The subscription lifecycle as one table, and the fold that turns observations into access.

What an observation does to access depends on one thing: the status in Razorpay's snapshot
(whichever event brought it, or a fetch), or, for a decision of this service's own, the decision.
`TABLE` says it, one row each. `derive` sorts the observations by `rank` — Razorpay's own counters
and timestamps — and folds them in that order, so the result is the same whatever order they
arrived in, and however often.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from api.documents.subscriptions import AccessReason, Snapshot, SubscriptionState
from api.statuses import SubscriptionStatus


class Effect(StrEnum):
    GRANT = "grant"  # access until the end of the paid period
    TRIAL = "trial"  # access until the trial's end, for a subscription created with one
    GRACE = "grace"  # access until the end of the paid period plus grace
    END = "end"  # access ends when the subscription ended (now, or at period end)
    SUSPEND = "suspend"  # no access from now on
    REVOKE = "revoke"  # access ends now, and nothing grants it again
    FLAG_CANCEL = "flag_cancel"  # access unchanged; the subscription is marked as ending
    NONE = "none"  # access unchanged


class Decision(StrEnum):
    """What this service itself decided about a subscription, observed beside what Razorpay says."""

    CANCEL_REQUESTED = "cancel_at_period_end.requested"
    ACCESS_REVOKED = "access.revoked"

    @classmethod
    def of(cls, event: str) -> Decision | None:
        try:
            return cls(event)
        except ValueError:
            return None


FETCHED = "fetched"  # the event of a snapshot read from Razorpay's API rather than delivered

TABLE: dict[SubscriptionStatus | Decision, Effect] = {
    # Razorpay's status, from a webhook or a fetch
    SubscriptionStatus.CREATED: Effect.NONE,  # checkout opened, nothing paid
    SubscriptionStatus.AUTHENTICATED: Effect.TRIAL,  # mandate set up, first charge to come
    SubscriptionStatus.ACTIVE: Effect.GRANT,  # a charge went through
    SubscriptionStatus.PENDING: Effect.GRACE,  # a renewal failed; Razorpay retries it
    SubscriptionStatus.HALTED: Effect.GRACE,  # the retries failed: access ends with the grace
    SubscriptionStatus.PAUSED: Effect.SUSPEND,
    SubscriptionStatus.CANCELLED: Effect.END,
    SubscriptionStatus.COMPLETED: Effect.GRANT,  # its last cycle was paid
    SubscriptionStatus.EXPIRED: Effect.NONE,  # never authenticated: nothing was granted
    # This service's own decisions
    Decision.CANCEL_REQUESTED: Effect.FLAG_CANCEL,  # Razorpay ends it at period end
    Decision.ACCESS_REVOKED: Effect.REVOKE,  # a refund that revokes access
}
# Ties in Razorpay's counters break toward the status that comes later in a subscription's life.
LATER = {
    status: i
    for i, status in enumerate(
        [
            SubscriptionStatus.CREATED,
            SubscriptionStatus.AUTHENTICATED,
            SubscriptionStatus.ACTIVE,
            SubscriptionStatus.PAUSED,
            SubscriptionStatus.PENDING,
            SubscriptionStatus.HALTED,
            SubscriptionStatus.EXPIRED,
            SubscriptionStatus.COMPLETED,
            SubscriptionStatus.CANCELLED,
        ]
    )
}


@dataclass(frozen=True)
class Observation:
    id: str
    observed_at: datetime
    snapshot: Snapshot | None = None  # Razorpay's; for a decision, the one it was made on
    decision: Decision | None = None

    @property
    def effect(self) -> Effect:
        if self.decision is not None:
            return TABLE[self.decision]
        return TABLE[self.snapshot.status] if self.snapshot else Effect.NONE

    @property
    def rank(self) -> tuple[int, ...]:
        """Forward progress as Razorpay counts it; a higher rank is a later state. A decision
        ranks where the snapshot it was made on does, after Razorpay's own word at that point."""
        at = self.snapshot or Snapshot()
        razorpays = self.decision is None
        terminal = at.status.is_terminal if razorpays else self.decision is Decision.ACCESS_REVOKED
        return (
            int(terminal),
            at.paid_count,
            _ts(at.current_end),
            _ts(self.observed_at),
            LATER[at.status] if razorpays else -1,
        )


@dataclass(frozen=True)
class Fold:
    """The state folded so far, with what only the fold itself needs."""

    state: SubscriptionState = field(default_factory=SubscriptionState)
    paid_through: datetime | None = None  # the latest paid period's end: grace counts from it
    rank: tuple[int, ...] = ()  # the highest rank folded
    cause: str | None = None  # the observation that last changed access


def derive(observations: Iterable[Observation], *, grace: timedelta) -> Fold:
    fold = Fold()
    for observation in sorted(observations, key=lambda o: (o.rank, o.id)):
        fold = apply(fold, observation, grace=grace)
    return fold


def changes(observations: Sequence[Observation], observation_id: str, *, grace: timedelta) -> bool:
    """Whether this observation moves the state or how far it has got; False for one that tells
    nothing new (older than what is known, and filling in nothing): a stale one."""
    without = derive([o for o in observations if o.id != observation_id], grace=grace)
    fold = derive(observations, grace=grace)
    return (without.state, without.rank) != (fold.state, fold.rank)


def apply(fold: Fold, obs: Observation, *, grace: timedelta) -> Fold:
    if obs.decision is None and obs.snapshot is not None:
        paid_count = max(fold.state.razorpay.paid_count, obs.snapshot.paid_count)
        fold = _with(fold, razorpay=obs.snapshot.model_copy(update={"paid_count": paid_count}))
    fold = replace(fold, rank=max(fold.rank, obs.rank))
    before = fold.state.access_until
    fold = _EFFECTS[obs.effect](fold, obs, grace)
    return fold if fold.state.access_until == before else replace(fold, cause=obs.id)


def _with(fold: Fold, **changed: Any) -> Fold:
    return replace(fold, state=fold.state.model_copy(update=changed))


def _grant(fold: Fold, obs: Observation, grace: timedelta) -> Fold:
    paid = obs.snapshot
    if paid is None or paid.paid_count < 1 or paid.current_end is None:
        return fold
    fold = replace(fold, paid_through=_later(fold.paid_through, paid.current_end))
    if fold.state.revoked:
        return fold
    return _with(fold, access_until=fold.paid_through, access_reason=AccessReason.PAID)


def _trial(fold: Fold, obs: Observation, grace: timedelta) -> Fold:
    """A future start is access only when it is a trial (a plan change's later start is not)."""
    trial_end = obs.snapshot.trial_end if obs.snapshot else None
    if trial_end is None or fold.state.revoked or fold.paid_through is not None:
        return fold
    return _with(fold, access_until=trial_end, access_reason=AccessReason.TRIAL)


def _grace(fold: Fold, obs: Observation, grace: timedelta) -> Fold:
    if fold.paid_through is None or fold.state.revoked:
        return fold
    return _with(fold, access_until=fold.paid_through + grace, access_reason=AccessReason.GRACE)


def _end(fold: Fold, obs: Observation, grace: timedelta) -> Fold:
    ended = (obs.snapshot.ended_at if obs.snapshot else None) or obs.observed_at
    if fold.state.access_reason in (AccessReason.TRIAL, AccessReason.TRIAL_CANCELLED):
        # Cancelled during the trial: nothing is charged, and the trial runs out.
        return _with(fold, access_reason=AccessReason.TRIAL_CANCELLED)
    at_period_end = fold.paid_through is not None and ended >= fold.paid_through
    reason = AccessReason.CANCELLED_AT_PERIOD_END if at_period_end else AccessReason.CANCELLED
    return _with(fold, access_until=_earlier(fold.state.access_until, ended), access_reason=reason)


def _suspend(fold: Fold, obs: Observation, grace: timedelta) -> Fold:
    until = _earlier(fold.state.access_until, obs.observed_at)
    return _with(fold, access_until=until, access_reason=AccessReason.PAUSED)


def _revoke(fold: Fold, obs: Observation, grace: timedelta) -> Fold:
    until = _earlier(fold.state.access_until, obs.observed_at)
    return _with(fold, revoked=True, access_until=until, access_reason=AccessReason.REVOKED)


def _flag_cancel(fold: Fold, obs: Observation, grace: timedelta) -> Fold:
    return _with(fold, cancel_at_period_end=True)


def _none(fold: Fold, obs: Observation, grace: timedelta) -> Fold:
    return fold


_EFFECTS: dict[Effect, Callable[[Fold, Observation, timedelta], Fold]] = {
    Effect.GRANT: _grant,
    Effect.TRIAL: _trial,
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
