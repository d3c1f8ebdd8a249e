"""Subscriptions as this service sees them, and the claim that keeps upgrades to one at a time.

A `Subscription` is derived state: its `state` is the fold of its `SubscriptionObservation`s (see
`api.billing.subscription.lifecycle`), rewritten whole whenever an observation arrives. The
entitlement check reads only `state.access_until`, through the (user_id, state.access_until) index.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, ConfigDict, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from api.catalog.model import Period
from api.statuses import SubscriptionStatus


class Snapshot(BaseModel):
    """What Razorpay says a subscription is, in the fields the lifecycle reads: the same whether a
    webhook delivered it or it was fetched."""

    model_config = ConfigDict(frozen=True)

    status: SubscriptionStatus = SubscriptionStatus.CREATED
    paid_count: int = 0
    current_start: datetime | None = None
    current_end: datetime | None = None
    charge_at: datetime | None = None
    ended_at: datetime | None = None
    # The first charge of a subscription created with a trial (its `start_at`, marked by our
    # notes at Razorpay); None for any other.
    trial_end: datetime | None = None


class AccessReason(StrEnum):
    NOT_PAID = "not paid yet"
    PAID = "paid"
    GRACE = "renewal failed: grace period"
    CANCELLED = "cancelled"
    CANCELLED_AT_PERIOD_END = "cancelled at period end"
    PAUSED = "paused"
    REVOKED = "access revoked by a refund"
    TRIAL = "trial"
    TRIAL_CANCELLED = "cancelled during the trial"


class SubscriptionState(BaseModel):
    """Everything this service knows of a subscription, folded from what it observed."""

    model_config = ConfigDict(frozen=True)

    razorpay: Snapshot = Snapshot()  # the latest snapshot in rank order, at the highest paid_count
    access_until: datetime | None = None  # the plan's access while now is before it
    access_reason: AccessReason = AccessReason.NOT_PAID
    cancel_at_period_end: bool = False  # asked for here: Razorpay may not say so in its snapshots
    revoked: bool = False  # a refund revoked access, and nothing grants it again


class Subscription(Document):
    user_id: PydanticObjectId
    razorpay_subscription_id: str
    razorpay_plan_id: str
    # What it sells; documents from before the catalog sold Pro monthly only.
    plan_code: str = "pro"
    period: Period = Period.MONTHLY
    # The subscription a plan change made this one to replace; None for any other.
    replaces: str | None = None
    # The `start_at` it was created with (a trial's end, a downgrade's cycle end): its Checkout
    # pays the ₹5 authentication token, not the plan. None: the first charge is at Checkout.
    starts_at: datetime | None = None
    # A new subscription is the fold of no observations: created, nothing paid.
    state: SubscriptionState = Field(default_factory=SubscriptionState)
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "subscriptions"
        indexes = [
            IndexModel(
                [("razorpay_subscription_id", ASCENDING)], name="razorpay_id_unique", unique=True
            ),
            IndexModel(
                [("user_id", ASCENDING), ("state.access_until", DESCENDING)],
                name="user_state_access",
            ),
            IndexModel([("user_id", ASCENDING), ("created_at", DESCENDING)], name="user_created"),
        ]


class SubscriptionObservation(Document):
    """One thing learnt about a subscription: a Razorpay snapshot (webhook or fetch) or a decision
    of this service's own (cancel at period end, revoke). `_id` is its natural identity, so it is
    stored once."""

    id: str  # type: ignore[assignment]
    razorpay_subscription_id: str
    event: str  # the webhook event's name, `fetched`, or the decision
    observed_at: datetime
    # Razorpay's snapshot; for a decision, the one it was made on, which places it among them
    snapshot: Snapshot | None = None
    source: str

    class Settings:
        name = "subscription_observations"
        indexes = [IndexModel([("razorpay_subscription_id", ASCENDING)], name="subscription")]


class UpgradeClaim(Document):
    """At most one open checkout per user: `open_key` is the user id while the claim is open,
    and a value unique to the claim once it is closed (a unique index on both servers)."""

    user_id: PydanticObjectId
    open_key: str
    razorpay_subscription_id: str | None = None
    created_at: datetime
    closed_at: datetime | None = None

    class Settings:
        name = "upgrade_claims"
        indexes = [
            IndexModel([("open_key", ASCENDING)], name="open_key_unique", unique=True),
            IndexModel([("user_id", ASCENDING)], name="user"),
        ]
