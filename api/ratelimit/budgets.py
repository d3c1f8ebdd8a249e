"""The budgets the service keeps, each with its rate from settings (`RATE_LIMIT_<BUDGET>`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from api import metrics
from api.ratelimit.limiter import Limited, SlotLimiter
from api.ratelimit.rate import Rate


class Budget(Enum):
    """Per signed-in user, except ANONYMOUS: per client address, for `/graphql` as a whole."""

    UPGRADE = "upgrade"
    CONFIRM_CHECKOUT = "confirm_checkout"
    CANCEL_SUBSCRIPTION = "cancel_subscription"
    REFUND_PAYMENT = "refund_payment"  # also spent by decideRefundRequest: it refunds too
    REQUEST_REFUND = "request_refund"
    GITHUB_IMPORT = "github_import"
    FUNNEL_EVENT = "funnel_event"  # per user, or per address for an anonymous caller
    USAGE = "usage"  # recordUsage and releaseUsage together
    BUY_CREDITS = "buy_credits"
    CONFIRM_CREDIT_PURCHASE = "confirm_credit_purchase"
    SPEND_CREDITS = "spend_credits"
    ADJUST_CREDITS = "adjust_credits"
    ACCESS_GRANT = "access_grant"  # grantAccess and revokeGrant together, per staff member
    ANONYMOUS = "anonymous"


class Budgets:
    def __init__(self, limiter: SlotLimiter, rates: Mapping[Budget, Rate]) -> None:
        missing = set(Budget) - set(rates)
        if missing:
            raise ValueError(f"no rate for {sorted(b.name for b in missing)}")
        self._limiter = limiter
        self._rates = dict(rates)

    async def take(self, budget: Budget, who: str) -> Limited | None:
        """One call of `who`'s (a user's subject, or an address) from `budget`."""
        limited = await self._limiter.take(f"{budget.value}:{who}", self._rates[budget])
        if limited is not None:
            metrics.rate_limited(budget.value)
        return limited
