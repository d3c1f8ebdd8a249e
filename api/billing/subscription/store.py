"""Storing what we learn about a subscription, and keeping its state in step.

Observations are inserted once under their natural id. The `Subscription` document's `state` is
then rewritten from the fold of all of them. Conditional updates are not atomic on FerretDB, so
two writers may interleave; each writer therefore re-reads after writing and writes again until the
document matches the fold of everything stored (`api.billing.convergence`; `NotConverged` when
it never does). The last writer to finish always leaves the fold of every observation inserted
before it, so concurrent writers converge without a lock.

A writer cancelled midway (a webhook past its budget) leaves nothing a later refresh cannot
repair: the observation is stored or not, the fold is recomputed from what is stored, and a
change of access is written together with its audit record, never one without the other.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from beanie import SortDirection
from pymongo.errors import DuplicateKeyError

from api import metrics
from api.billing.convergence import Settled, until_settled
from api.billing.deps import Billing
from api.billing.subscription.lifecycle import FETCHED, Decision, Fold, Observation, changes, derive
from api.documents.events import AccessChange
from api.documents.payments import Payment
from api.documents.subscriptions import Snapshot, Subscription, SubscriptionObservation
from api.gateway.entities import RazorpaySubscription
from api.statuses import PaymentStatus

TRIAL_NOTE = "trial"  # in a subscription's notes at Razorpay: "1" when its start_at ends a trial


@dataclass(frozen=True)
class Refreshed:
    subscription: Subscription | None  # None: not a subscription of this service's
    changed: bool  # whether the observation named changes its state; False: it was stale


async def observe(
    billing: Billing,
    snapshot: RazorpaySubscription,
    *,
    id: str,
    event: str = FETCHED,
    source: str,
    observed_at: datetime | None = None,
) -> Refreshed:
    """Record a Razorpay snapshot once and bring the subscription's state up to date."""
    now = billing.now()
    observation = SubscriptionObservation(
        id=id,
        razorpay_subscription_id=snapshot.id,
        event=event,
        observed_at=observed_at or now,
        snapshot=snapshot_of(snapshot),
        source=source,
    )
    await record(observation)
    return await refresh(snapshot.id, grace=billing.grace, now=now, observed=id)


def snapshot_of(razorpay: RazorpaySubscription) -> Snapshot:
    return Snapshot(
        status=razorpay.status,
        paid_count=razorpay.paid_count,
        current_start=razorpay.current_start,
        current_end=razorpay.current_end,
        charge_at=razorpay.charge_at,
        ended_at=razorpay.ended_at,
        trial_end=razorpay.start_at if razorpay.notes.get(TRIAL_NOTE) == "1" else None,
    )


async def record(observation: SubscriptionObservation) -> bool:
    """Store an observation once; False when it was already stored (a duplicate)."""
    try:
        await observation.insert()
    except DuplicateKeyError:
        return False
    return True


async def refresh(
    razorpay_subscription_id: str, *, grace: timedelta, now: datetime, observed: str | None = None
) -> Refreshed:
    """Bring the subscription's state up to the fold of its observations, and say whether the
    observation `observed` changes it. Raises `NotConverged` when other writers keep it from
    settling."""

    async def one_round() -> Settled[Refreshed] | None:
        document = await Subscription.find_one(
            Subscription.razorpay_subscription_id == razorpay_subscription_id
        )
        if document is None:
            return Settled(Refreshed(None, changed=False))
        observations = await _observations(razorpay_subscription_id)
        fold = derive(observations, grace=grace)
        if document.state == fold.state:
            changed = observed is not None and changes(observations, observed, grace=grace)
            return Settled(Refreshed(document, changed))
        # Shielded: cancelled between the change and its audit record, the next refresh would
        # find the change made and never write the record.
        await asyncio.shield(_write(document, fold, now))
        return None

    return await until_settled(one_round, what=f"subscription {razorpay_subscription_id}")


async def _observations(razorpay_subscription_id: str) -> list[Observation]:
    stored = await SubscriptionObservation.find(
        SubscriptionObservation.razorpay_subscription_id == razorpay_subscription_id
    ).to_list()
    return [
        Observation(o.id, o.observed_at, snapshot=o.snapshot, decision=Decision.of(o.event))
        for o in stored
    ]


async def _write(document: Subscription, fold: Fold, now: datetime) -> None:
    before = document.state.access_until
    # Only the state: nothing else of the document is this writer's to overwrite.
    await document.set({"state": fold.state, "updated_at": now})
    if before != fold.state.access_until:
        await _audit(document, before, fold, now)


async def _audit(
    document: Subscription, before: datetime | None, fold: Fold, now: datetime
) -> None:
    after = fold.state.access_until
    # Keyed by the change itself, so two writers racing to record one change record it once.
    change = AccessChange(
        id=f"{document.razorpay_subscription_id}:{_iso(before)}->{_iso(after)}",
        user_id=document.user_id,
        razorpay_subscription_id=document.razorpay_subscription_id,
        before=before,
        after=after,
        reason=fold.state.access_reason,
        source=fold.cause or "unknown",
        at=now,
    )
    try:
        await change.insert()
    except DuplicateKeyError:  # a concurrent writer recorded (and counted) this change
        return
    if metrics.access_changed(before, after, now) is metrics.AccessChange.GRANTED:
        await _time_from_payment(document.razorpay_subscription_id, now)


async def _time_from_payment(razorpay_subscription_id: str, granted_at: datetime) -> None:
    """Observes how long access took from the subscription's latest captured payment; none
    when access came first (the payment's own event not handled yet)."""
    paid = (
        await Payment.find(
            Payment.razorpay_subscription_id == razorpay_subscription_id,
            Payment.status == PaymentStatus.CAPTURED,
        )
        .sort([("created_at", SortDirection.DESCENDING)])
        .first_or_none()
    )
    if paid is not None:
        metrics.payment_to_access(paid.created_at, granted_at)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "none"
