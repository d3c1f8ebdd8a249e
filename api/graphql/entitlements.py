"""`entitlements` and `canUse`: what the viewer may use, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.authz.features import FeatureDecision, decide, decide_all
from api.billing.usage.outcomes import unknown_feature
from api.graphql.context import Info
from api.graphql.enums import Feature, PlanCode
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.usage import LimitCheck, LimitUsage, limit_check, limits_of


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
    limits: list[LimitUsage] = strawberry.field(
        description="Every limit of the catalog: the plan's amount, used, remaining, reset."
    )


CanUseResult = Annotated[FeatureAccess | LimitCheck | Failure, strawberry.union("CanUseResult")]


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
        description="The viewer's plan, every feature's decision and every limit's usage.",
        extensions=[guard("entitlement", "read")],
    )
    async def entitlements(self, info: Info) -> Entitlements:
        access = await info.context.access()
        user = await info.context.viewer()
        return Entitlements(
            plan=access.plan,
            access_until=access.access_until,
            reason=access.reason,
            features=[feature_access(d) for d in await decide_all(info.context.caller)],
            limits=await limits_of(info, user.id if user else None),
        )

    @strawberry.field(
        description="May the viewer use this feature now (`github_import`), or `quantity` more"
        " of this limit (`chats`; default 1)? Records nothing.",
        extensions=[guard("entitlement", "read")],
    )
    async def can_use(self, info: Info, feature: str, quantity: int = 1) -> CanUseResult:
        if info.context.services.catalog.limit(feature) is not None:
            return await limit_check(info, feature, quantity)
        if feature not in set(Feature):
            return failure(unknown_feature(feature))
        return feature_access(await decide(info.context.caller, Feature(feature)))
