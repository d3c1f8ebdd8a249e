"""The catalog's prices at Razorpay (or the sandbox): found or created once, linked in the
database (`RazorpayPlanLink`), checked to sell.

Razorpay plans cannot be changed or deleted, so each exact price (plan, period, interval, amount,
currency) has a plan of its own: a price changed in the catalog gets a new Razorpay plan at the
next sync, and subscribers of the old one keep paying what they signed up for (their
subscription names its plan) until they change plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import structlog
from pymongo.errors import DuplicateKeyError

from api.billing import outcomes
from api.billing.outcomes import Problem
from api.catalog.model import Catalog, Period, Plan, Price
from api.catalog.selling import cheapest_sold
from api.documents.razorpay_plans import RazorpayPlanLink, price_key
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


@dataclass(frozen=True)
class Synced:
    plan: Plan
    price: Price
    razorpay_plan_id: str


async def linked(plan: Plan, price: Price) -> str | None:
    """The Razorpay plan a sync linked to this exact price; None before one has."""
    link = await RazorpayPlanLink.get(_key(plan, price))
    return link.razorpay_plan_id if link is not None else None


async def sync_price(gateway: RazorpayGateway, plan: Plan, price: Price, now: datetime) -> str:
    """The Razorpay plan charging `price`: the linked one, else found at Razorpay by our notes
    and the price, else created; then linked. Two processes syncing at once may each create a
    plan; one link wins (an insert on `_id`) and both use it, the other plan is never sold."""
    known = await linked(plan, price)
    if known is not None:
        return known
    found = await sync_plan(gateway, plan, price)
    link = RazorpayPlanLink(
        id=_key(plan, price),
        plan_code=plan.code,
        period=price.period,
        interval=price.interval,
        amount=price.amount,
        currency=price.currency,
        razorpay_plan_id=found.id,
        created_at=now,
    )
    try:
        await link.insert()
    except DuplicateKeyError:
        return await linked(plan, price) or found.id
    return found.id


async def sync_catalog(gateway: RazorpayGateway, catalog: Catalog, now: datetime) -> list[Synced]:
    """Every sold price of the catalog, each with its Razorpay plan (`python -m api plans sync`,
    and the embedded sandbox's start)."""
    return [
        Synced(plan, price, await sync_price(gateway, plan, price, now))
        for plan in catalog.plans
        for price in plan.prices
    ]


def _key(plan: Plan, price: Price) -> str:
    return price_key(plan.code, price.period, price.interval, price.amount, price.currency)


def configured_plans(catalog: Catalog, plan_id: str | None) -> dict[PriceKey, str]:
    """RAZORPAY_PLAN_ID names the Razorpay plan of the cheapest sold plan's monthly price (Pro in
    the default catalog); only the sandbox's plans are found or created unasked."""
    plan = cheapest_sold(catalog)
    if plan_id is None or plan is None:
        return {}
    return {(plan.code, Period.MONTHLY.value): plan_id}


class PlanResolver:
    """The Razorpay plan id each catalog price is sold through, learnt once per process.

    A configured id (`RAZORPAY_PLAN_ID`, an override for the cheapest sold plan's monthly price)
    is fetched once and kept only if it charges exactly the catalog's price. Otherwise the link
    `plans sync` recorded is used; without one, and only against the sandbox (never create plans
    at Razorpay unasked), the price is synced on the spot. Razorpay plans never change, so what
    is learnt holds for the process's life. Billing holds one; its copies share it.
    """

    def __init__(
        self, configured: Mapping[PriceKey, str] | None = None, *, auto_sync: bool = False
    ) -> None:
        self._configured = dict(configured or {})
        self._auto_sync = auto_sync
        self._known: dict[PriceKey, str] = {}
        self._sync_lock = asyncio.Lock()

    async def for_sale(
        self, gateway: RazorpayGateway, plan: Plan, price: Price, now: datetime
    ) -> str | Problem:
        """The Razorpay plan id to subscribe to for `plan` at `price`, or why there is none."""
        key = (plan.code, price.period.value)
        known = self._known.get(key)
        if known is not None:
            return known
        configured = self._configured.get(key)
        try:
            if configured is not None:
                return await self._verify(gateway, key, price, configured)
            found = await linked(plan, price)
            if found is not None:
                self._known[key] = found
                return found
            if not self._auto_sync:
                return outcomes.plan_not_configured(plan.name, price.period.value)
            return await self._sync(gateway, plan, price, now)
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

    async def sync_all(
        self, gateway: RazorpayGateway, catalog: Catalog, now: datetime
    ) -> list[Synced]:
        """Every sold price synced (as `sync_catalog`), under the lock an upgrade's sync takes."""
        return [
            Synced(plan, price, await self._sync(gateway, plan, price, now))
            for plan in catalog.plans
            for price in plan.prices
        ]

    async def _sync(self, gateway: RazorpayGateway, plan: Plan, price: Price, now: datetime) -> str:
        key = (plan.code, price.period.value)
        async with self._sync_lock:  # one sync at a time: two would each create a plan
            if key not in self._known:
                self._known[key] = await sync_price(gateway, plan, price, now)
            return self._known[key]
