"""The user's Pro grant: one indexed read of their latest grant and a clock comparison.

What the grant unlocks is the policy's to say (`policies/`, through `api/authz`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId, SortDirection

from api.billing.catalog import PlanCode
from api.documents.subscriptions import Subscription


@dataclass(frozen=True)
class Access:
    plan: PlanCode
    access_until: datetime | None
    reason: str


NEVER_SUBSCRIBED = Access(PlanCode.FREE, None, "never subscribed to Pro")


async def access_for(user_id: PydanticObjectId, now: datetime) -> Access:
    grant = (
        await Subscription.find({"user_id": user_id, "access_until": {"$ne": None}})
        .sort([("access_until", SortDirection.DESCENDING)])
        .first_or_none()
    )
    if grant is None or grant.access_until is None:
        return NEVER_SUBSCRIBED
    if now < grant.access_until:
        return Access(PlanCode.PRO, grant.access_until, grant.access_reason)
    return Access(PlanCode.FREE, grant.access_until, f"Pro ended: {grant.access_reason}")
