"""Making sure the Pro plan exists at Razorpay (or the sandbox), exactly once."""

from __future__ import annotations

import structlog

from api.billing import outcomes
from api.billing.catalog import Plan
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.gateway.client import RazorpayGateway
from api.gateway.entities import RazorpayPlan
from api.gateway.errors import GatewayCallError, GatewayNotFound

PLAN_CODE_NOTE = "plan_code"
LIST_PAGE = 100
MAX_PAGES = 20
log = structlog.get_logger("billing.plans")


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
    return candidate.notes.get(PLAN_CODE_NOTE) == plan.code.value and not _differences(
        candidate, plan
    )


def _differences(candidate: RazorpayPlan, plan: Plan) -> list[str]:
    """What of the price differs: `amount 5000 != 10000`, ..."""
    pairs = {
        "amount": (candidate.amount, plan.amount),
        "currency": (candidate.currency, plan.currency),
        "period": (candidate.period, plan.period),
        "interval": (candidate.interval, plan.interval),
    }
    return [
        f"{name} {found!r} != {wanted!r}"
        for name, (found, wanted) in pairs.items()
        if found != wanted
    ]


async def plan_for_sale(billing: Billing) -> str | Problem:
    """The Razorpay plan id to subscribe to, checked once to charge exactly the catalog's price."""
    try:
        plan_id = await resolve_plan_id(billing)
        if plan_id is None:
            return outcomes.PLAN_NOT_CONFIGURED
        wrong = await _verify(billing, plan_id)
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    return plan_id if wrong is None else wrong


async def _verify(billing: Billing, plan_id: str) -> Problem | None:
    if billing.verified_plan_id == plan_id:
        return None
    try:
        found = await billing.gateway.fetch_plan(plan_id)
    except GatewayNotFound:
        differences = ["Razorpay has no such plan"]
    else:
        differences = _differences(found, billing.plan)
    if differences:
        # Not remembered: every upgrade says so until the setting is fixed and the service restarts.
        log.error("plan_misconfigured", plan_id=plan_id, differences=differences)
        return outcomes.plan_misconfigured(f"{plan_id}: " + "; ".join(differences))
    billing.verified_plan_id = plan_id
    return None


async def resolve_plan_id(billing: Billing) -> str | None:
    """The Razorpay plan id: configured, or (against the sandbox) found or created once."""
    if billing.razorpay_plan_id is not None or not billing.auto_sync_plan:
        return billing.razorpay_plan_id
    async with billing.plan_lock:
        if billing.razorpay_plan_id is None:
            billing.razorpay_plan_id = (await sync_plan(billing.gateway, billing.plan)).id
            billing.verified_plan_id = billing.razorpay_plan_id  # found or made by its price
    return billing.razorpay_plan_id
