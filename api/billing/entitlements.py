"""Who may use what: one indexed read of the user's latest grant and a clock comparison."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId, SortDirection

from api.billing.catalog import FEATURES, Feature, FeatureInfo, PlanCode, feature_info
from api.documents.subscriptions import Subscription


@dataclass(frozen=True)
class Access:
    plan: PlanCode
    access_until: datetime | None
    reason: str


@dataclass(frozen=True)
class Decision:
    feature: FeatureInfo
    allowed: bool
    reason: str


async def access_for(user_id: PydanticObjectId, now: datetime) -> Access:
    grant = (
        await Subscription.find({"user_id": user_id, "access_until": {"$ne": None}})
        .sort([("access_until", SortDirection.DESCENDING)])
        .first_or_none()
    )
    if grant is None or grant.access_until is None:
        return Access(PlanCode.FREE, None, "never subscribed to Pro")
    if now < grant.access_until:
        return Access(PlanCode.PRO, grant.access_until, grant.access_reason)
    return Access(PlanCode.FREE, grant.access_until, f"Pro ended: {grant.access_reason}")


def decide(access: Access, feature: Feature) -> Decision:
    info = feature_info(feature)
    if info.plan is PlanCode.FREE:
        return Decision(info, True, "included in every plan")
    if access.plan is PlanCode.PRO:
        return Decision(info, True, "included in Pro")
    return Decision(info, False, "requires Pro")


def decide_all(access: Access) -> list[Decision]:
    return [decide(access, info.feature) for info in FEATURES]
