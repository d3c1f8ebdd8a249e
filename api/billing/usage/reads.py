"""Usage as it stands, for `canUse` and `entitlements`: one read of a counter's latest entry."""

from __future__ import annotations

from datetime import datetime

from beanie import PydanticObjectId

from api.billing.usage.ledger import with_lifting
from api.billing.usage.outcomes import LimitReached, Usage
from api.billing.usage.tips import latest_entry
from api.billing.usage.windows import counter_of, window_of
from api.catalog.model import Catalog, Limit, Plan


async def usage_of(
    plan: Plan, user_id: PydanticObjectId | None, limit: Limit, now: datetime
) -> Usage:
    """A user never seen (None) has used nothing."""
    window = window_of(limit, now)
    latest = None
    if user_id is not None:
        latest = await latest_entry(counter_of(str(user_id), limit, window))
    used = latest.total if latest is not None else 0
    return Usage(limit, used, plan.limit(limit.code), window.resets_at)


async def check_usage(
    catalog: Catalog,
    plan: Plan,
    user_id: PydanticObjectId | None,
    limit: Limit,
    quantity: int,
    now: datetime,
) -> Usage | LimitReached:
    """Whether recording `quantity` now would be admitted; records nothing."""
    usage = await usage_of(plan, user_id, limit, now)
    if usage.admits(quantity):
        return usage
    return with_lifting(catalog, LimitReached(usage, quantity, None))
