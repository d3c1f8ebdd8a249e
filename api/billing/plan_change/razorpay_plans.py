"""The Razorpay plan a catalog plan is sold through for a period.

The one place plan changes learn a Razorpay plan id. Until the catalog's Razorpay plans are
synced into the database (`python -m api plans sync`, issue 13 §2), it finds the plan at
Razorpay by its notes and price, creating it only against the sandbox; the merge points it at
that mapping instead.
"""

from __future__ import annotations

from api.billing import outcomes
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change.problems import unknown_plan
from api.catalog.model import Period, Plan
from api.gateway.entities import RazorpayPlan
from api.gateway.errors import GatewayCallError

PAGE = 100
MAX_PAGES = 20


async def razorpay_plan_for(billing: Billing, plan: Plan, period: Period) -> str | Problem:
    price = plan.price(period)
    if price is None:
        return unknown_plan(plan.code, period.value)
    notes = {"plan_code": plan.code, "period": period.value}
    try:
        found = await _find(billing, notes, price.amount)
        if found is not None:
            return found.id
        if not billing.plans.auto_sync:
            return outcomes.PLAN_NOT_CONFIGURED
        created = await billing.gateway.create_plan(
            plan.name, price.amount, price.currency, period.value, price.interval, notes=notes
        )
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    return created.id


async def _find(billing: Billing, notes: dict[str, str], amount: int) -> RazorpayPlan | None:
    for page in range(MAX_PAGES):
        plans = await billing.gateway.list_plans(count=PAGE, skip=page * PAGE)
        for candidate in plans:
            if candidate.amount == amount and all(
                candidate.notes.get(key) == value for key, value in notes.items()
            ):
                return candidate
        if len(plans) < PAGE:
            return None
    return None
