"""`plans`: what can be bought, public."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.billing.catalog import PRO, Plan
from api.graphql.money import Money, money


@strawberry.enum
class PlanCode(Enum):
    FREE = "free"
    PRO = "pro"


@strawberry.enum
class FeatureCode(Enum):
    PROJECTS = "projects"
    GITHUB_IMPORT = "github_import"


@strawberry.type(description="A feature of the product and the cheapest plan that includes it.")
class FeatureInfo:
    code: FeatureCode
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
    features: list[FeatureInfo]


def plan_type(plan: Plan) -> PlanType:
    return PlanType(
        id=strawberry.ID(plan.code.value),
        name=plan.name,
        price=money(plan.amount, plan.currency),
        interval=BillingInterval.MONTH,
        features=[
            FeatureInfo(code=FeatureCode(f.feature.value), name=f.name, plan=PlanCode(f.plan.value))
            for f in plan.features
        ],
    )


@strawberry.type
class PlanQuery:
    @strawberry.field(description="The plans for sale. Public.")
    def plans(self) -> list[PlanType]:
        return [plan_type(PRO)]
