"""`entitlements` and `canUse`: what the viewer may use, and why."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.billing.catalog import Feature
from api.billing.entitlements import Access, Decision, access_for, decide, decide_all
from api.graphql.billing_context import billing_of, signed_in_user
from api.graphql.context import Info
from api.graphql.permissions import IsAuthenticated
from api.graphql.plans import FeatureCode, PlanCode


@strawberry.type
class FeatureAccess:
    feature: FeatureCode
    name: str
    allowed: bool
    reason: str
    required_plan: PlanCode


@strawberry.type
class Entitlements:
    plan: PlanCode
    access_until: datetime | None
    reason: str
    features: list[FeatureAccess]


def feature_access(decision: Decision) -> FeatureAccess:
    return FeatureAccess(
        feature=FeatureCode(decision.feature.feature.value),
        name=decision.feature.name,
        allowed=decision.allowed,
        reason=decision.reason,
        required_plan=PlanCode(decision.feature.plan.value),
    )


async def viewer_access(info: Info) -> Access:
    user = await signed_in_user(info)
    assert user.id is not None
    return await access_for(user.id, billing_of(info).now())


@strawberry.type
class EntitlementQuery:
    @strawberry.field(
        description="The viewer's plan and every feature's decision.",
        permission_classes=[IsAuthenticated],
    )
    async def entitlements(self, info: Info) -> Entitlements:
        access = await viewer_access(info)
        return Entitlements(
            plan=PlanCode(access.plan.value),
            access_until=access.access_until,
            reason=access.reason,
            features=[feature_access(d) for d in decide_all(access)],
        )

    @strawberry.field(
        description="May the viewer use this feature now?", permission_classes=[IsAuthenticated]
    )
    async def can_use(self, info: Info, feature: FeatureCode) -> FeatureAccess:
        return feature_access(decide(await viewer_access(info), Feature(feature.value)))
