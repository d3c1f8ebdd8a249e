"""The Razorpay plan a catalog plan is sold through for a period.

The one place plan changes learn a Razorpay plan id: the same resolver upgrades use (the mapping
`python -m api plans sync` records; `PLAN_NOT_CONFIGURED` while a price is unsynced, created on
the spot only against the sandbox).
"""

from __future__ import annotations

from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change.problems import unknown_plan
from api.catalog.model import Period, Plan


async def razorpay_plan_for(billing: Billing, plan: Plan, period: Period) -> str | Problem:
    price = plan.price(period)
    if price is None:
        return unknown_plan(plan.code, period.value)
    return await billing.plans.for_sale(billing.gateway, plan, price, billing.now())
