"""`plans`: every plan of the catalog, with its prices, features, limits and levels; public."""

from __future__ import annotations

import strawberry

from api.authz.features import plan_features
from api.catalog.model import Catalog, Level, Limit, Plan
from api.graphql.context import Info
from api.graphql.enums import LimitKind, Period, Reset
from api.graphql.guards import guard
from api.graphql.money import Money, money


@strawberry.type(description="A feature of the product: whether the plan includes it.")
class PlanFeature:
    code: str
    name: str
    included: bool
    plan: str | None = strawberry.field(
        description="The code of the cheapest plan that includes it; null when none does."
    )


@strawberry.type(name="PlanPrice", description="What a plan costs per period.")
class PlanPrice:
    period: Period
    interval: int = strawberry.field(description="Charged every `interval` periods.")
    price: Money


@strawberry.type(name="PlanLimit", description="How much of a limit a plan allows.")
class PlanLimit:
    code: str
    name: str
    kind: LimitKind
    reset: Reset | None = strawberry.field(description="Null for a count of live things.")
    amount: int | None = strawberry.field(description="Null when unlimited.")
    unlimited: bool


@strawberry.type(name="PlanLevel", description="Where a plan sits on an ordered level.")
class PlanLevel:
    code: str
    name: str
    value: str


@strawberry.type(name="Plan", description="A plan of the catalog (the first is every user's).")
class PlanType:
    id: strawberry.ID = strawberry.field(description="The plan's code, as an ID.")
    code: str
    name: str
    rank: int = strawberry.field(description="The catalog's order: higher is an upgrade.")
    prices: list[PlanPrice] = strawberry.field(description="Empty for the free plan.")
    trial_days: int
    limits: list[PlanLimit]
    levels: list[PlanLevel]

    @strawberry.field(description="Every feature, and whether the access policy includes it.")
    def features(self, info: Info) -> list[PlanFeature]:
        services = info.context.services
        plan = services.catalog.plan(self.code)
        assert plan is not None
        return [
            PlanFeature(
                code=f.feature.code,
                name=f.feature.name,
                included=f.included,
                plan=f.cheapest.code if f.cheapest else None,
            )
            for f in plan_features(services.authorizer, services.catalog, plan)
        ]


def plan_limit(limit: Limit, amount: int | None) -> PlanLimit:
    return PlanLimit(
        code=limit.code,
        name=limit.name,
        kind=limit.kind,
        reset=limit.reset,
        amount=amount,
        unlimited=amount is None,
    )


def plan_level(level: Level, value: str) -> PlanLevel:
    return PlanLevel(code=level.code, name=level.name, value=value)


def plan_type(plan: Plan, catalog: Catalog) -> PlanType:
    return PlanType(
        id=strawberry.ID(plan.code),
        code=plan.code,
        name=plan.name,
        rank=plan.rank,
        prices=[
            PlanPrice(period=p.period, interval=p.interval, price=money(p.amount, p.currency))
            for p in plan.prices
        ],
        trial_days=plan.trial_days,
        limits=[plan_limit(x, plan.limit(x.code)) for x in catalog.limits],
        levels=[plan_level(x, plan.levels[x.code]) for x in catalog.levels],
    )


@strawberry.type
class PlanQuery:
    @strawberry.field(
        description="Every plan of the catalog, lowest first.", extensions=[guard("plan", "read")]
    )
    def plans(self, info: Info) -> list[PlanType]:
        catalog = info.context.services.catalog
        return [plan_type(plan, catalog) for plan in catalog.plans]
