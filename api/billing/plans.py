"""Making sure the Pro plan exists at Razorpay (or the sandbox), exactly once."""

from __future__ import annotations

from api.billing.catalog import Plan
from api.billing.deps import Billing
from api.gateway.client import RazorpayGateway
from api.gateway.entities import RazorpayPlan

PLAN_CODE_NOTE = "plan_code"
LIST_PAGE = 100
MAX_PAGES = 20


async def sync_plan(gateway: RazorpayGateway, plan: Plan) -> RazorpayPlan:
    """The Razorpay plan marked with our plan code and price, created when there is none.

    Running it twice finds the first one: Razorpay plans cannot be changed or deleted, so a
    price change makes a new plan (a different amount does not match).
    """
    existing = await find_plan(gateway, plan)
    if existing is not None:
        return existing
    return await gateway.create_plan(
        plan.name,
        plan.amount,
        plan.currency,
        "monthly",
        plan.interval,
        notes={PLAN_CODE_NOTE: plan.code.value},
    )


async def find_plan(gateway: RazorpayGateway, plan: Plan) -> RazorpayPlan | None:
    for page in range(MAX_PAGES):
        found = await gateway.list_plans(count=LIST_PAGE, skip=page * LIST_PAGE)
        for candidate in found:
            if _is(candidate, plan):
                return candidate
        if len(found) < LIST_PAGE:
            return None
    return None


def _is(candidate: RazorpayPlan, plan: Plan) -> bool:
    return (
        candidate.notes.get(PLAN_CODE_NOTE) == plan.code.value
        and candidate.amount == plan.amount
        and candidate.currency == plan.currency
        and candidate.period == plan.period
        and candidate.interval == plan.interval
    )


async def resolve_plan_id(billing: Billing) -> str | None:
    """The Razorpay plan id: configured, or (against the sandbox) found or created once."""
    if billing.razorpay_plan_id is not None or not billing.auto_sync_plan:
        return billing.razorpay_plan_id
    async with billing.plan_lock:
        if billing.razorpay_plan_id is None:
            billing.razorpay_plan_id = (await sync_plan(billing.gateway, billing.plan)).id
    return billing.razorpay_plan_id
