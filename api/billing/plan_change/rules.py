"""Which way a change goes, when it takes effect by default, and what stands in its way."""

from __future__ import annotations

from dataclasses import dataclass

from api.billing.outcomes import RENEWAL_PENDING, Problem
from api.billing.plan_change import problems
from api.catalog.model import Catalog, Period, Plan
from api.documents import Subscription
from api.documents.plan_changes import ChangeTiming
from api.statuses import SubscriptionStatus

# Razorpay updates only these (FACTS §2.3); `authenticated` is a trial or a future start.
CHANGEABLE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.AUTHENTICATED)
RETRYING = (SubscriptionStatus.PENDING, SubscriptionStatus.HALTED)
PERIOD_ORDER = (Period.MONTHLY, Period.YEARLY)


@dataclass(frozen=True)
class Target:
    plan: Plan
    period: Period


def target(catalog: Catalog, code: str, period: Period) -> Target | Problem:
    """A sold plan at a period it is sold, or the default (free) plan at any period."""
    plan = catalog.plan(code)
    if plan is None or (plan.sold and plan.price(period) is None):
        return problems.unknown_plan(code, period.value)
    return Target(plan, period)


def first_purchase(subscription: Subscription | None) -> bool:
    """No subscription yet, or only ended ones: the change buys the plan (the user is on the
    catalog's default plan)."""
    return subscription is None or subscription.state.razorpay.status.is_terminal


def obstacle(subscription: Subscription | None, wanted: Target) -> Problem | None:
    if subscription is None:
        return problems.NOT_SUBSCRIBED
    status = subscription.state.razorpay.status
    if status in RETRYING:
        return RENEWAL_PENDING
    if status not in CHANGEABLE or subscription.state.revoked:
        return problems.NOT_SUBSCRIBED
    if subscription.state.cancel_at_period_end:
        return problems.CANCELLING
    if (subscription.plan_code, subscription.period) == (wanted.plan.code, wanted.period):
        return problems.SAME_PLAN
    if not wanted.plan.sold and subscription.plan_code == wanted.plan.code:
        return problems.SAME_PLAN
    return None


def is_upgrade(catalog: Catalog, subscription: Subscription, wanted: Target) -> bool:
    """Up the catalog's order; on the same plan, a longer period is up. A plan no longer in the
    catalog ranks below every plan."""
    current = catalog.plan(subscription.plan_code)
    rank = current.rank if current is not None else -1
    before = (rank, PERIOD_ORDER.index(subscription.period))
    return (wanted.plan.rank, PERIOD_ORDER.index(wanted.period)) > before


def default_timing(upgrade: bool) -> ChangeTiming:
    """Up takes effect now (paying the prorated difference), down at the end of the paid
    period (keeping what was paid for)."""
    return ChangeTiming.NOW if upgrade else ChangeTiming.CYCLE_END
