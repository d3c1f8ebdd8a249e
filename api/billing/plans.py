"""The catalog's prices at Razorpay (or the sandbox): found or created once, checked to sell."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import structlog

from api.billing import outcomes
from api.billing.outcomes import Problem
from api.catalog.model import Catalog, Period, Plan, Price
from api.catalog.selling import cheapest_sold
from api.gateway.client import RazorpayGateway
from api.gateway.entities import RazorpayPlan
from api.gateway.errors import GatewayCallError, GatewayNotFound

PLAN_CODE_NOTE = "plan_code"
LIST_PAGE = 100
MAX_PAGES = 20
log = structlog.get_logger("billing.plans")
PriceKey = tuple[str, str]  # (plan code, period)


async def sync_plan(gateway: RazorpayGateway, plan: Plan, price: Price) -> RazorpayPlan:
    """The Razorpay plan marked with our plan code and price, created when there is none.

    Running it twice finds the first one: Razorpay plans cannot be changed or deleted, so a
    price change makes a new plan (a different amount does not match).
    """
    existing = await find_plan(gateway, plan, price)
    if existing is not None:
        return existing
    return await gateway.create_plan(
        plan.name,
        price.amount,
        price.currency,
        price.period.value,
        price.interval,
        notes={PLAN_CODE_NOTE: plan.code},
    )


async def find_plan(gateway: RazorpayGateway, plan: Plan, price: Price) -> RazorpayPlan | None:
    for page in range(MAX_PAGES):
        found = await gateway.list_plans(count=LIST_PAGE, skip=page * LIST_PAGE)
        for candidate in found:
            if candidate.notes.get(PLAN_CODE_NOTE) == plan.code and not _differences(
                candidate, price
            ):
                return candidate
        if len(found) < LIST_PAGE:
            return None
    return None


def _differences(candidate: RazorpayPlan, price: Price) -> list[str]:
    """What of the price differs: `amount 5000 != 10000`, ..."""
    pairs = {
        "amount": (candidate.amount, price.amount),
        "currency": (candidate.currency, price.currency),
        "period": (candidate.period, price.period.value),
        "interval": (candidate.interval, price.interval),
    }
    return [
        f"{name} {found!r} != {wanted!r}"
        for name, (found, wanted) in pairs.items()
        if found != wanted
    ]


def configured_plans(catalog: Catalog, plan_id: str | None) -> dict[PriceKey, str]:
    """RAZORPAY_PLAN_ID names the Razorpay plan of the cheapest sold plan's monthly price (Pro in
    the default catalog); only the sandbox's plans are found or created unasked."""
    plan = cheapest_sold(catalog)
    if plan_id is None or plan is None:
        return {}
    return {(plan.code, Period.MONTHLY.value): plan_id}


class PlanResolver:
    """The Razorpay plan id each catalog price is sold through, learnt once per process.

    A configured id (`RAZORPAY_PLAN_ID`, for the cheapest sold plan's monthly price) is fetched
    once and kept only if it charges exactly the catalog's price; without one, and only against
    the sandbox (never create plans at Razorpay unasked), the plan is found or created by its
    price. Razorpay plans never change, so what is learnt holds for the process's life. Billing
    holds one; its copies share it.
    """

    def __init__(
        self, configured: Mapping[PriceKey, str] | None = None, *, auto_sync: bool = False
    ) -> None:
        self._configured = dict(configured or {})
        self._auto_sync = auto_sync
        self._known: dict[PriceKey, str] = {}
        self._sync_lock = asyncio.Lock()

    async def for_sale(self, gateway: RazorpayGateway, plan: Plan, price: Price) -> str | Problem:
        """The Razorpay plan id to subscribe to for `plan` at `price`, or why there is none."""
        key = (plan.code, price.period.value)
        known = self._known.get(key)
        if known is not None:
            return known
        configured = self._configured.get(key)
        try:
            if configured is not None:
                return await self._verify(gateway, key, price, configured)
            if not self._auto_sync:
                return outcomes.PLAN_NOT_CONFIGURED
            return await self._sync(gateway, plan, price)
        except GatewayCallError as error:
            return outcomes.from_gateway(error)

    async def _verify(
        self, gateway: RazorpayGateway, key: PriceKey, price: Price, plan_id: str
    ) -> str | Problem:
        try:
            found = await gateway.fetch_plan(plan_id)
        except GatewayNotFound:
            differences = ["Razorpay has no such plan"]
        else:
            differences = _differences(found, price)
        if differences:
            # Not remembered: every upgrade says so until the setting is fixed and the service
            # restarts.
            log.error("plan_misconfigured", plan_id=plan_id, differences=differences)
            return outcomes.plan_misconfigured(f"{plan_id}: " + "; ".join(differences))
        self._known[key] = plan_id
        return plan_id

    async def _sync(self, gateway: RazorpayGateway, plan: Plan, price: Price) -> str:
        key = (plan.code, price.period.value)
        async with self._sync_lock:  # one sync at a time: two would each create a plan
            if key not in self._known:
                self._known[key] = (await sync_plan(gateway, plan, price)).id  # by its price
            return self._known[key]
