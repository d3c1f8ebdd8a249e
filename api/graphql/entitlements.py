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
from api.catalog.allowance import (
    Decision,
    beta_plan,
    level_decision,
    limit_decision,
    steps_above,
)
from api.catalog.load import MAX_AMOUNT
from api.catalog.model import Catalog, Plan
from api.graphql.context import Info
from api.graphql.enums import LimitKind, Reset
from api.graphql.errors import bad_input
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.plans import PlanType, plan_type


@strawberry.type(description="May the viewer use a feature, a limit or a level, and why.")
class FeatureAccess:
    feature: str = strawberry.field(description="The feature, limit or level code asked about.")
    name: str
    allowed: bool
    reason: str
    required_plan: str | None = strawberry.field(
        description="The code of the cheapest plan that allows it; null when no plan does."
    )


@strawberry.type(description="A limit of the viewer's plan.")
class LimitAccess:
    code: str
    name: str
    kind: LimitKind
    reset: Reset | None = strawberry.field(description="Null for a count of live things.")
    limit: int | None = strawberry.field(description="The plan's amount; null when unlimited.")
    unlimited: bool


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
    limits: list[LimitAccess]
    levels: list[LevelAccess]


CanUseResult = Annotated[FeatureAccess | Failure, strawberry.union("CanUseResult")]


def feature_access(decision: Decision) -> FeatureAccess:
    plan = decision.required_plan
    return FeatureAccess(
        feature=decision.code,
        name=decision.name,
        allowed=decision.allowed,
        reason=decision.reason,
        required_plan=plan.code if plan is not None else None,
    )


def limits_of(catalog: Catalog, plan: Plan) -> list[LimitAccess]:
    return [
        LimitAccess(
            code=x.code,
            name=x.name,
            kind=x.kind,
            reset=x.reset,
            limit=plan.limit(x.code),
            unlimited=plan.limit(x.code) is None,
        )
        for x in catalog.limits
    ]


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


async def viewer_plan(info: Info) -> Plan:
    """The plan whose limits and levels apply to the viewer (all open under the beta override)."""
    catalog = info.context.services.catalog
    access = await info.context.access()
    if access.beta:
        return beta_plan(catalog)
    return catalog.plan(access.plan) or catalog.default_plan


@strawberry.type
class EntitlementQuery:
    @strawberry.field(
        description="The viewer's plan and every feature, limit and level it allows.",
        extensions=[guard("entitlement", "read")],
    )
    async def entitlements(self, info: Info) -> Entitlements:
        catalog = info.context.services.catalog
        access = await info.context.access()
        plan = await viewer_plan(info)
        decisions = await decide_all(info.context.caller, catalog)
        return Entitlements(
            plan=plan_type(plan, catalog),
            access_until=access.access_until,
            reason=access.reason,
            features=[feature_access(d) for d in decisions],
            limits=limits_of(catalog, plan),
            levels=levels_of(catalog, plan),
        )

    @strawberry.field(
        description=(
            "May the viewer use this feature now? For a limit, `quantity` units (default 1);"
            " for a level, the value `level`. Read-only."
        ),
        extensions=[guard("entitlement", "read")],
    )
    async def can_use(
        self, info: Info, feature: str, quantity: int | None = None, level: str | None = None
    ) -> CanUseResult:
        catalog = info.context.services.catalog
        known = catalog.feature(feature)
        if known is not None:
            return feature_access(await decide(info.context.caller, catalog, known))
        limit, ladder = catalog.limit(feature), catalog.level(feature)
        if limit is not None:
            wanted = _quantity(quantity)
            return feature_access(limit_decision(catalog, await viewer_plan(info), limit, wanted))
        if ladder is not None and level in ladder.values:
            return feature_access(level_decision(catalog, await viewer_plan(info), ladder, level))
        if ladder is not None:
            return failure(outcomes.unknown_level(ladder.code, level, ladder.values))
        return failure(outcomes.unknown_feature(feature[:40]))


def _quantity(quantity: int | None) -> int:
    if quantity is None:
        return 1
    if not 1 <= quantity <= MAX_AMOUNT:
        raise bad_input(f"`quantity` must be from 1 to {MAX_AMOUNT}.", argument="quantity")
    return quantity
