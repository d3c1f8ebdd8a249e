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


class ChangeTiming(StrEnum):
    NOW = "now"
    CYCLE_END = "cycle_end"


class PlanChangeState(StrEnum):
    SCHEDULED = "scheduled"  # Razorpay applies it at the cycle end; in flight until then
    APPLIED = "applied"
    CANCELLED = "cancelled"
    FAILED = "failed"  # nothing changed (Razorpay refused, or its prorated charge failed)


class PlanChange(Document):
    user_id: PydanticObjectId
    open_key: str
    idempotency_key: str
    razorpay_subscription_id: str
    from_plan: str
    from_period: Period
    to_plan: str
    to_period: Period
    to_razorpay_plan_id: str
    timing: ChangeTiming
    state: PlanChangeState = PlanChangeState.SCHEDULED
    effective_at: datetime | None = None  # when the new plan applies (or applied)
    created_at: datetime
    settled_at: datetime | None = None

    @property
    def in_flight(self) -> bool:
        return self.state is PlanChangeState.SCHEDULED

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
        ]
