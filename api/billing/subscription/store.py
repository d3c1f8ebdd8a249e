"""Storing what we learn about a subscription, and keeping its derived state in step.

Observations are inserted once under their natural id. The `Subscription` document is then
rewritten from the fold of all of them. Conditional updates are not atomic on FerretDB, so two
writers may interleave; each writer therefore re-reads after writing and writes again until the
document matches the fold of everything stored (`api.billing.convergence`; `NotConverged` when
it never does). The last writer to finish always leaves the fold of every observation inserted
before it, so concurrent writers converge without a lock.

A writer cancelled midway (a webhook past its budget) leaves nothing a later refresh cannot
repair: the observation is stored or not, the fold is recomputed from what is stored, and a
change of access is written together with its audit record, never one without the other.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from api.billing.convergence import Settled, until_settled
from api.billing.subscription.lifecycle import Derived, Observation, derive
from api.documents.events import AccessChange
from api.documents.subscriptions import Subscription, SubscriptionObservation
from api.gateway.entities import RazorpaySubscription

# What a Razorpay snapshot says, as stored in an observation and read back into the fold.
SNAPSHOT_FIELDS = ("status", "paid_count", "current_start", "current_end", "charge_at", "ended_at")
# The fold's result as the Subscription document keeps it (`rank` is stored as `applied_rank`).
DERIVED_FIELDS = (
    *SNAPSHOT_FIELDS,
    "paid_through",
    "access_until",
    "access_reason",
    "cancel_at_period_end",
    "revoked",
)


def _pick(source: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(source, name) for name in names}


def observation_of(
    snapshot: RazorpaySubscription, *, id: str, event: str, observed_at: datetime, source: str
) -> SubscriptionObservation:
    return SubscriptionObservation(
        id=id,
        razorpay_subscription_id=snapshot.id,
        event=event,
        observed_at=observed_at,
        source=source,
        **_pick(snapshot, SNAPSHOT_FIELDS),
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
    """Bring the subscription's derived state up to the fold of its observations; None when it
    is not ours. Raises `NotConverged` when other writers keep it from settling."""

    async def one_round() -> Settled[Subscription | None] | None:
        document = await Subscription.find_one(
            Subscription.razorpay_subscription_id == razorpay_subscription_id
        )
        if document is None:
            return Settled(None)
        derived = derive(await _observations(razorpay_subscription_id), grace=grace)
        if _matches(document, derived):
            return Settled(document)
        # Shielded: cancelled between the change and its audit record, the next refresh would
        # find the change made and never write the record.
        await asyncio.shield(_write(document, derived, now))
        return None

    return await until_settled(one_round, what=f"subscription {razorpay_subscription_id}")


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
        **_pick(stored, SNAPSHOT_FIELDS),
    )


def _state(derived: Derived) -> dict[str, Any]:
    return {**_pick(derived, DERIVED_FIELDS), "applied_rank": list(derived.rank)}


def _matches(document: Subscription, derived: Derived) -> bool:
    return _pick(document, (*DERIVED_FIELDS, "applied_rank")) == _state(derived)


async def _write(document: Subscription, derived: Derived, now: datetime) -> None:
    before = document.access_until
    # Only the derived fields: nothing else of the document is this writer's to overwrite.
    await document.set({**_state(derived), "updated_at": now})
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
