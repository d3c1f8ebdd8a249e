"""`plans`: what can be bought, public."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.authz.features import plan_features
from api.billing.catalog import PRO, Plan
from api.graphql.context import Info
from api.graphql.enums import Feature, PlanCode
from api.graphql.guards import guard
from api.graphql.money import Money, money


@strawberry.type(description="A feature of the product and the cheapest plan that includes it.")
class FeatureInfo:
    code: Feature
    name: str
    plan: PlanCode


@strawberry.enum
class BillingInterval(Enum):
    MONTH = "month"


@strawberry.type(name="Plan", description="A plan for sale.")
class PlanType:
    id: strawberry.ID
    name: str
    price: Money
    interval: BillingInterval
    code: strawberry.Private[PlanCode]

    @strawberry.field(description="What the plan includes, as the access policy grants it.")
    def features(self, info: Info) -> list[FeatureInfo]:
        return [
            FeatureInfo(code=f.feature, name=f.name, plan=cheapest)
            for f, cheapest in plan_features(info.context.services.authorizer, self.code)
        ]


def plan_type(plan: Plan) -> PlanType:
    return PlanType(
        id=strawberry.ID(plan.code.value),
        name=plan.name,
        price=money(plan.amount, plan.currency),
        interval=BillingInterval.MONTH,
        code=plan.code,
    )


@strawberry.type
class PlanQuery:
    @strawberry.field(description="The plans for sale.", extensions=[guard("plan", "read")])
    def plans(self) -> list[PlanType]:
        return [plan_type(PRO)]
