"""`entitlements` and `canUse`: what the viewer may use, and why."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.authz.features import FeatureDecision, decide, decide_all
from api.billing.catalog import Feature
from api.graphql.context import Info
from api.graphql.guards import guard
from api.graphql.plans import FeatureCode, PlanCode


@strawberry.type
class FeatureAccess:
    feature: FeatureCode
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
    plan = decision.required_plan
    return FeatureAccess(
        feature=FeatureCode(decision.feature.feature.value),
        name=decision.feature.name,
        allowed=decision.allowed,
        reason=decision.reason,
        required_plan=PlanCode(plan.value) if plan else None,
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
            plan=PlanCode(access.plan.value),
            access_until=access.access_until,
            reason=access.reason,
            features=[feature_access(d) for d in await decide_all(info.context.caller)],
        )

    @strawberry.field(
        description="May the viewer use this feature now?",
        extensions=[guard("entitlement", "read")],
    )
    async def can_use(self, info: Info, feature: FeatureCode) -> FeatureAccess:
        return feature_access(await decide(info.context.caller, Feature(feature.value)))
