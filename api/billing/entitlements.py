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
        await Subscription.find({"user_id": user_id, "state.access_until": {"$ne": None}})
        .sort([("state.access_until", SortDirection.DESCENDING)])
        .first_or_none()
    )
    state = grant.state if grant is not None else None
    if state is None or state.access_until is None:
        return NEVER_SUBSCRIBED
    if now < state.access_until:
        return Access(PlanCode.PRO, state.access_until, state.access_reason)
    return Access(PlanCode.FREE, state.access_until, f"Pro ended: {state.access_reason}")
