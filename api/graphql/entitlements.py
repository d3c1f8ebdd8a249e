"""`entitlements` and `canUse`: what the viewer may use, and why."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.authz.features import FeatureDecision, decide, decide_all
from api.graphql.context import Info
from api.graphql.enums import Feature, PlanCode
from api.graphql.guards import guard


@strawberry.type
class FeatureAccess:
    feature: Feature
    name: str
    allowed: bool
    reason: str
    required_plan: PlanCode | None = strawberry.field(
        description="The cheapest plan that includes it; null when no plan does."
    )


@strawberry.type
class Entitlements:
    plan: PlanCode
    access_until: datetime | None
    reason: str
    features: list[FeatureAccess]


def feature_access(decision: FeatureDecision) -> FeatureAccess:
    return FeatureAccess(
        feature=decision.feature.feature,
        name=decision.feature.name,
        allowed=decision.allowed,
        reason=decision.reason,
        required_plan=decision.required_plan,
    )


@strawberry.type
class EntitlementQuery:
    @strawberry.field(
        description="The viewer's plan and every feature's decision.",
        extensions=[guard("entitlement", "read")],
    )
    async def entitlements(self, info: Info) -> Entitlements:
        access = await info.context.access()
        return Entitlements(
            plan=access.plan,
            access_until=access.access_until,
            reason=access.reason,
            features=[feature_access(d) for d in await decide_all(info.context.caller)],
        )

    @strawberry.field(
        description="May the viewer use this feature now?",
        extensions=[guard("entitlement", "read")],
    )
    async def can_use(self, info: Info, feature: Feature) -> FeatureAccess:
        return feature_access(await decide(info.context.caller, feature))
