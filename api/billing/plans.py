"""The catalog's plans at Razorpay (or the sandbox): found or created once, checked to sell."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import structlog

from api.billing import outcomes
from api.billing.catalog import Plan, PlanCode
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


class PlanResolver:
    """The Razorpay plan id each catalog plan is sold through, learnt once per process.

    A configured id (`RAZORPAY_PLAN_ID`) is fetched once and kept only if it charges exactly the
    catalog's price; without one, and only against the sandbox (never create plans at Razorpay
    unasked), the plan is found or created by its price. Razorpay plans never change, so what
    is learnt holds for the process's life. Billing holds one; its copies share it.
    """

    def __init__(
        self, configured: Mapping[PlanCode, str] | None = None, *, auto_sync: bool = False
    ) -> None:
        self._configured = dict(configured or {})
        self._auto_sync = auto_sync
        self._known: dict[PlanCode, str] = {}
        self._sync_lock = asyncio.Lock()

    @property
    def auto_sync(self) -> bool:
        """Plans may be created unasked (only against the sandbox)."""
        return self._auto_sync

    async def for_sale(self, gateway: RazorpayGateway, plan: Plan) -> str | Problem:
        """The Razorpay plan id to subscribe to for `plan`, or why there is none."""
        known = self._known.get(plan.code)
        if known is not None:
            return known
        configured = self._configured.get(plan.code)
        try:
            if configured is not None:
                return await self._verify(gateway, plan, configured)
            if not self._auto_sync:
                return outcomes.PLAN_NOT_CONFIGURED
            return await self._sync(gateway, plan)
        except GatewayCallError as error:
            return outcomes.from_gateway(error)

    async def _verify(self, gateway: RazorpayGateway, plan: Plan, plan_id: str) -> str | Problem:
        try:
            found = await gateway.fetch_plan(plan_id)
        except GatewayNotFound:
            differences = ["Razorpay has no such plan"]
        else:
            differences = _differences(found, plan)
        if differences:
            # Not remembered: every upgrade says so until the setting is fixed and the service
            # restarts.
            log.error("plan_misconfigured", plan_id=plan_id, differences=differences)
            return outcomes.plan_misconfigured(f"{plan_id}: " + "; ".join(differences))
        self._known[plan.code] = plan_id
        return plan_id

    async def _sync(self, gateway: RazorpayGateway, plan: Plan) -> str:
        async with self._sync_lock:  # one sync at a time: two would each create a plan
            if plan.code not in self._known:
                self._known[plan.code] = (await sync_plan(gateway, plan)).id  # by its price
            return self._known[plan.code]
