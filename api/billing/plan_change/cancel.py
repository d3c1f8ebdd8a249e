"""`cancelScheduledChange`: take back a change scheduled for the cycle end; the plan stays."""

from __future__ import annotations

from api.billing import outcomes
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change import problems
from api.billing.plan_change.settle import close
from api.documents import PlanChange, User
from api.documents.plan_changes import PlanChangeState
from api.gateway.errors import GatewayCallError


async def cancel_scheduled_change(billing: Billing, user: User) -> PlanChange | Problem:
    assert user.id is not None
    change = await PlanChange.find_one({"open_key": str(user.id)})
    if change is None or change.state is not PlanChangeState.SCHEDULED:
        return problems.NO_SCHEDULED_CHANGE
    try:
        await billing.gateway.cancel_scheduled_changes(change.razorpay_subscription_id)
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    await close(billing, change, PlanChangeState.CANCELLED)
    return change
