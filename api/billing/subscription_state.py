"""Storing what we learn about a subscription, and keeping its derived state in step.

Observations are inserted once under their natural id. The `Subscription` document is then
rewritten from the fold of all of them. Conditional updates are not atomic on FerretDB, so two
writers may interleave; each writer therefore re-reads after writing and writes again until the
document matches the fold of everything stored. The last writer to finish always leaves the fold
of every observation inserted before it, so concurrent writers converge without a lock.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

import structlog
from pymongo.errors import DuplicateKeyError

from api.billing.lifecycle import Derived, Observation, derive
from api.documents.events import AccessChange
from api.documents.subscriptions import Subscription, SubscriptionObservation
from api.gateway.entities import RazorpaySubscription

MAX_ROUNDS = 8
log = structlog.get_logger("billing.subscriptions")


def observation_of(
    snapshot: RazorpaySubscription, *, id: str, event: str, observed_at: datetime, source: str
) -> SubscriptionObservation:
    return SubscriptionObservation(
        id=id,
        razorpay_subscription_id=snapshot.id,
        event=event,
        observed_at=observed_at,
        status=snapshot.status,
        paid_count=snapshot.paid_count,
        current_start=snapshot.current_start,
        current_end=snapshot.current_end,
        charge_at=snapshot.charge_at,
        ended_at=snapshot.ended_at,
        source=source,
    )


async def record(observation: SubscriptionObservation) -> bool:
    """Store an observation once; False when it was already stored (a duplicate)."""
    try:
        await observation.insert()
    except DuplicateKeyError:
        return False
    return True


async def refresh(
    razorpay_subscription_id: str, *, grace: timedelta, now: datetime
) -> Subscription | None:
    for _ in range(MAX_ROUNDS):
        document = await Subscription.find_one(
            Subscription.razorpay_subscription_id == razorpay_subscription_id
        )
        if document is None:
            return None
        derived = derive(await _observations(razorpay_subscription_id), grace=grace)
        if _matches(document, derived):
            return document
        await _write(document, derived, now)
    log.warning("subscription_not_converged", subscription=razorpay_subscription_id)
    return document


async def _observations(razorpay_subscription_id: str) -> list[Observation]:
    stored = await SubscriptionObservation.find(
        SubscriptionObservation.razorpay_subscription_id == razorpay_subscription_id
    ).to_list()
    return [as_observation(o) for o in stored]


def as_observation(stored: SubscriptionObservation) -> Observation:
    return Observation(
        id=stored.id,
        event=stored.event,
        observed_at=stored.observed_at,
        status=stored.status,
        paid_count=stored.paid_count,
        current_start=stored.current_start,
        current_end=stored.current_end,
        charge_at=stored.charge_at,
        ended_at=stored.ended_at,
    )


def _matches(document: Subscription, derived: Derived) -> bool:
    return (
        tuple(document.applied_rank) == derived.rank
        and document.access_until == derived.access_until
        and (document.cancel_at_period_end == derived.cancel_at_period_end)
    )


async def _write(document: Subscription, derived: Derived, now: datetime) -> None:
    before = document.access_until
    document.status = derived.status
    document.current_start = derived.current_start
    document.current_end = derived.current_end
    document.charge_at = derived.charge_at
    document.ended_at = derived.ended_at
    document.paid_count = derived.paid_count
    document.paid_through = derived.paid_through
    document.access_until = derived.access_until
    document.access_reason = derived.access_reason
    document.cancel_at_period_end = derived.cancel_at_period_end
    document.revoked = derived.revoked
    document.applied_rank = list(derived.rank)
    document.updated_at = now
    await document.save()
    if before != derived.access_until:
        await _audit(document, before, derived, now)


async def _audit(
    document: Subscription, before: datetime | None, derived: Derived, now: datetime
) -> None:
    # Keyed by the change itself, so two writers racing to record one change record it once.
    change = AccessChange(
        id=f"{document.razorpay_subscription_id}:{_iso(before)}->{_iso(derived.access_until)}",
        user_id=document.user_id,
        razorpay_subscription_id=document.razorpay_subscription_id,
        before=before,
        after=derived.access_until,
        reason=derived.access_reason,
        source=derived.cause or "unknown",
        at=now,
    )
    with contextlib.suppress(DuplicateKeyError):  # a concurrent writer recorded this change
        await change.insert()


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "none"
