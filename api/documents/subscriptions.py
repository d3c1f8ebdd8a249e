"""Subscriptions as this service sees them, and the claim that keeps upgrades to one at a time.

A `Subscription` is derived state: a fold over its `SubscriptionObservation`s (see
`api.billing.subscription.lifecycle`), rewritten whole whenever an observation arrives. The
entitlement check reads only `access_until` through the (user_id, access_until) index.
"""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel

from api.statuses import SubscriptionStatus


class Subscription(Document):
    user_id: PydanticObjectId
    razorpay_subscription_id: str
    razorpay_plan_id: str
    plan_code: str
    status: SubscriptionStatus
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
    applied_rank: list[int] = []
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "subscriptions"
        indexes = [
            IndexModel(
                [("razorpay_subscription_id", ASCENDING)], name="razorpay_id_unique", unique=True
            ),
            IndexModel([("user_id", ASCENDING), ("access_until", DESCENDING)], name="user_access"),
            IndexModel([("user_id", ASCENDING), ("created_at", DESCENDING)], name="user_created"),
        ]


class SubscriptionObservation(Document):
    """One thing learnt about a subscription: a Razorpay snapshot (webhook or fetch) or a local
    decision (cancel at period end, revoke). `_id` is its natural identity, so it is stored once."""

    id: str  # type: ignore[assignment]
    razorpay_subscription_id: str
    event: str
    observed_at: datetime
    status: SubscriptionStatus | None = None
    paid_count: int = 0
    current_start: datetime | None = None
    current_end: datetime | None = None
    charge_at: datetime | None = None
    ended_at: datetime | None = None
    source: str

    class Settings:
        name = "subscription_observations"
        indexes = [IndexModel([("razorpay_subscription_id", ASCENDING)], name="subscription")]


class UpgradeClaim(Document):
    """At most one open checkout per user: `open_key` is the user id while the claim is open,
    and a value unique to the claim once it is closed (a unique index on both servers)."""

    user_id: PydanticObjectId
    open_key: str
    idempotency_key: str
    razorpay_subscription_id: str | None = None
    created_at: datetime
    closed_at: datetime | None = None

    class Settings:
        name = "upgrade_claims"
        indexes = [
            IndexModel([("open_key", ASCENDING)], name="open_key_unique", unique=True),
            IndexModel([("user_id", ASCENDING)], name="user"),
        ]
