"""Plan changes of a subscription, and the claim that keeps them to one in flight per user.

`open_key` is the user id while a change is in flight (asked and not yet applied, cancelled or
failed) and a value unique to the change once it is settled, under a unique index: two requests
cannot both insert an open change (FerretDB's conditional updates are not atomic; an insert
into a unique index is). `(user_id, idempotency_key)` is unique too, so a replayed request finds
the change it made.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel

from api.catalog.model import Period


class TrialClaim(Document):
    """One trial per user and one per email address: `id` is `user:<id>` or `email:<address>`,
    inserted once (a unique `_id`), never updated."""

    id: str  # type: ignore[assignment]
    user_id: PydanticObjectId
    purchase_id: PydanticObjectId  # the `UpgradeClaim` of the first purchase that took it
    created_at: datetime

    class Settings:
        name = "trial_claims"


class ChangeTiming(StrEnum):
    NOW = "now"
    CYCLE_END = "cycle_end"


class ChangePath(StrEnum):
    UPDATE = "update"  # Razorpay's update of the subscription itself
    NEW_SUBSCRIPTION = "new_subscription"  # a new subscription through Checkout (UPI, ...)


class PlanChangeState(StrEnum):
    SCHEDULED = "scheduled"  # Razorpay applies it at the cycle end; in flight until then
    AWAITING_PAYMENT = "awaiting_payment"  # the new subscription's Checkout is not paid yet
    APPLIED = "applied"
    CANCELLED = "cancelled"
    FAILED = "failed"  # nothing changed (Razorpay refused, or its prorated charge failed)


class PlanChange(Document):
    user_id: PydanticObjectId
    open_key: str
    idempotency_key: str
    razorpay_subscription_id: str | None  # the subscription changed; None: a first purchase
    from_plan: str
    from_period: Period
    to_plan: str
    to_period: Period
    to_razorpay_plan_id: str  # "" for the default (free) plan: the subscription just ends
    timing: ChangeTiming
    path: ChangePath = ChangePath.UPDATE
    # The new-subscription path: the subscription replacing the old, its trial, and the part of
    # the old period refunded (paise; 0 when under Razorpay's minimum).
    new_razorpay_subscription_id: str | None = None
    trial_ends_at: datetime | None = None
    refunded_paise: int | None = None
    # The old subscription's paid period when the change was asked: what the refund prorates.
    old_period_start: datetime | None = None
    old_period_end: datetime | None = None
    state: PlanChangeState = PlanChangeState.SCHEDULED
    effective_at: datetime | None = None  # when the new plan applies (or applied)
    created_at: datetime
    settled_at: datetime | None = None

    @property
    def in_flight(self) -> bool:
        return self.state in (PlanChangeState.SCHEDULED, PlanChangeState.AWAITING_PAYMENT)

    class Settings:
        name = "plan_changes"
        indexes = [
            IndexModel([("open_key", ASCENDING)], name="open_key_unique", unique=True),
            IndexModel(
                [("user_id", ASCENDING), ("idempotency_key", ASCENDING)],
                name="user_key_unique",
                unique=True,
            ),
            IndexModel([("razorpay_subscription_id", ASCENDING)], name="subscription"),
            IndexModel([("new_razorpay_subscription_id", ASCENDING)], name="new_subscription"),
        ]
