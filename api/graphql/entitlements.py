"""`entitlements` and `canUse`: what the viewer's plan allows, and why.

Codes arrive as strings (the catalog is operator data) and are looked up in the catalog before
anything else: an unknown one is the typed UNKNOWN_FEATURE, and only catalog codes ever reach
the authorizer, whose memo must stay bounded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.authz.features import decide, decide_all
from api.billing import outcomes
from api.catalog.allowance import Decision, level_decision, steps_above
from api.catalog.load import MAX_AMOUNT
from api.catalog.model import Catalog, Plan
from api.graphql.context import Info
from api.graphql.errors import bad_input
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.plans import PlanType, plan_type
from api.graphql.usage import LimitCheck, LimitUsage, limit_check, limits_of, viewer_plan


@strawberry.type(description="May the viewer use a feature, a limit or a level, and why.")
class FeatureAccess:
    feature: str = strawberry.field(description="The feature, limit or level code asked about.")
    name: str
    allowed: bool
    reason: str
    required_plan: str | None = strawberry.field(
        description="The code of the cheapest plan that allows it; null when no plan does."
    )


@strawberry.type(description="A value above the viewer's on a level, and the plan reaching it.")
class LevelStep:
    value: str
    plan: str | None = strawberry.field(description="The cheapest plan reaching it.")


@strawberry.type(description="Where the viewer's plan sits on an ordered level.")
class LevelAccess:
    code: str
    name: str
    value: str
    above: list[LevelStep]


@strawberry.type
class Entitlements:
    plan: PlanType
    access_until: datetime | None
    reason: str
    features: list[FeatureAccess]
    limits: list[LimitUsage] = strawberry.field(
        description="Every limit of the catalog: the plan's amount, used, remaining, reset."
    )
    levels: list[LevelAccess]


CanUseResult = Annotated[FeatureAccess | LimitCheck | Failure, strawberry.union("CanUseResult")]


def feature_access(decision: Decision) -> FeatureAccess:
    plan = decision.required_plan
    return FeatureAccess(
        feature=decision.code,
        name=decision.name,
        allowed=decision.allowed,
        reason=decision.reason,
        required_plan=plan.code if plan is not None else None,
    )


def levels_of(catalog: Catalog, plan: Plan) -> list[LevelAccess]:
    return [
        LevelAccess(
            code=x.code,
            name=x.name,
            value=plan.levels[x.code],
            above=[
                LevelStep(value=v, plan=p.code if p else None)
                for v, p in steps_above(catalog, plan, x)
            ],
        )
        for x in catalog.levels
    ]


@strawberry.type
class EntitlementQuery:
    @strawberry.field(
        description="The viewer's plan and every feature, limit (with its usage) and level it"
        " allows.",
        extensions=[guard("entitlement", "read")],
    )
    async def entitlements(self, info: Info) -> Entitlements:
        catalog = info.context.services.catalog
        access = await info.context.access()
        plan = await viewer_plan(info)
        decisions = await decide_all(info.context.caller, catalog)
        user = await info.context.viewer()
        return Entitlements(
            plan=plan_type(plan, catalog),
            access_until=access.access_until,
            reason=access.reason,
            features=[feature_access(d) for d in decisions],
            limits=await limits_of(info, user.id if user else None),
            levels=levels_of(catalog, plan),
        )

    @strawberry.field(
        description=(
            "May the viewer use this feature now? For a limit, `quantity` more units counting"
            " what is used (LimitCheck); for a level, the value `level`. Records nothing."
        ),
        extensions=[guard("entitlement", "read")],
    )
    async def can_use(
        self, info: Info, feature: str, quantity: int = 1, level: str | None = None
    ) -> CanUseResult:
        catalog = info.context.services.catalog
        known = catalog.feature(feature)
        if known is not None:
            return feature_access(await decide(info.context.caller, catalog, known))
        limit, ladder = catalog.limit(feature), catalog.level(feature)
        if limit is not None:
            return await limit_check(info, limit, _quantity(quantity))
        if ladder is not None and level in ladder.values:
            return feature_access(level_decision(catalog, await viewer_plan(info), ladder, level))
        if ladder is not None:
            return failure(outcomes.unknown_level(ladder.code, level, ladder.values))
        return failure(outcomes.unknown_feature(feature[:40]))


def _quantity(quantity: int) -> int:
    if not 1 <= quantity <= MAX_AMOUNT:
        raise bad_input(f"`quantity` must be from 1 to {MAX_AMOUNT}.", argument="quantity")
    return quantity
