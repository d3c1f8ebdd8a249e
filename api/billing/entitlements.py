"""The user's plan: one indexed read of their newest grant and a clock comparison.

A user's plan is the plan of their live grant (a paid subscription or a trial: `access_for`),
or of a live staff grant if that is higher (`with_grant`: the copy on the user document, so no
read more), else the catalog's default plan. What a plan unlocks is the policy's to say
(`policies/`, through `api/authz`); how much of each limit and level, the catalog's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog
from beanie import PydanticObjectId, SortDirection

from api.catalog.allowance import beta_plan
from api.catalog.model import Catalog, Period, Plan
from api.documents.grants import LiveGrant
from api.documents.subscriptions import Subscription

log = structlog.get_logger("billing.entitlements")


@dataclass(frozen=True)
class Access:
    plan: str  # a plan code of the catalog
    access_until: datetime | None
    reason: str
    beta: bool = False  # the beta override: every feature, limit and level open (BETA_OVERRIDE)
    period: Period | None = None  # how often the live grant charges; None: no live grant


BETA = "beta"


def beta_access(catalog: Catalog) -> Access:
    """Everything open while in beta: the top plan's role (which has every feature: the policy
    check makes each feature some plan's and no plan lose one going up), no read needed."""
    return Access(catalog.plans[-1].code, None, BETA, beta=True)


def current_plan(catalog: Catalog, access: Access) -> Plan:
    """The plan whose limits and levels apply (all open under the beta override)."""
    if access.beta:
        return beta_plan(catalog)
    return catalog.plan(access.plan) or catalog.default_plan


def never_subscribed(catalog: Catalog) -> Access:
    return Access(catalog.default_plan.code, None, "never subscribed")


async def access_for(user_id: PydanticObjectId, now: datetime, catalog: Catalog) -> Access:
    grant = (
        await Subscription.find({"user_id": user_id, "state.access_until": {"$ne": None}})
        .sort([("state.access_until", SortDirection.DESCENDING)])
        .first_or_none()
    )
    state = grant.state if grant is not None else None
    if grant is None or state is None or state.access_until is None:
        return never_subscribed(catalog)
    plan = catalog.plan(grant.plan_code)
    if plan is None:
        # A plan taken out of the catalog while it had subscribers: they keep what the
        # default plan gives until the operator restores it (the log says whom it hits).
        log.error("grant_for_unknown_plan", plan_code=grant.plan_code, user_id=str(user_id))
        return Access(catalog.default_plan.code, state.access_until, "plan no longer sold")
    if now < state.access_until:
        return Access(plan.code, state.access_until, state.access_reason, period=grant.period)
    return Access(
        catalog.default_plan.code, state.access_until, f"{plan.name} ended: {state.access_reason}"
    )


def with_grant(paid: Access, grant: LiveGrant | None, now: datetime, catalog: Catalog) -> Access:
    """The higher of what the user pays for (`paid`, from `access_for`) and their live staff
    grant. Equal plans: the paid one, which renews."""
    granted = catalog.plan(grant.plan_code) if grant is not None else None
    if grant is None or granted is None or now >= grant.until:
        return paid
    held = catalog.plan(paid.plan) or catalog.default_plan
    if held.rank >= granted.rank:
        return paid
    return Access(granted.code, grant.until, f"staff grant {grant.id}: {grant.reason}")
