"""`cancelScheduledChange`: take back a change that has not taken effect; the plan stays.

A change Razorpay scheduled on the subscription itself is cancelled there. A change through a
new subscription whose Checkout is not paid yet ends that subscription at Razorpay (nobody can
pay it afterwards) and gives back the trial it claimed. Once the new subscription is paid (or
its mandate authenticated for a later start) it cannot be taken back: the old one is already
being ended.
"""

from __future__ import annotations

import uuid

from api.billing import outcomes
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change import finish, problems, trial
from api.billing.plan_change.pending import pending_change
from api.billing.plan_change.settle import close
from api.billing.subscription import store
from api.documents import PlanChange, User
from api.documents.plan_changes import ChangePath, PlanChangeState
from api.gateway.errors import GatewayCallError
from api.statuses import SubscriptionStatus


async def cancel_scheduled_change(billing: Billing, user: User) -> PlanChange | Problem:
    assert user.id is not None
    change = await pending_change(user.id)
    if change is None:
        return problems.NO_SCHEDULED_CHANGE
    if change.path is ChangePath.NEW_SUBSCRIPTION:
        return await _unpaid_checkout(billing, change)
    assert change.razorpay_subscription_id is not None
    try:
        await billing.gateway.cancel_scheduled_changes(change.razorpay_subscription_id)
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    await close(billing, change, PlanChangeState.CANCELLED)
    return change


async def _unpaid_checkout(billing: Billing, change: PlanChange) -> PlanChange | Problem:
    new_id = change.new_razorpay_subscription_id
    if change.state is not PlanChangeState.AWAITING_PAYMENT or new_id is None:
        return problems.NOT_TAKEN_BACK
    try:
        snapshot = await billing.gateway.fetch_subscription(new_id)
        if snapshot.status is SubscriptionStatus.CREATED:
            snapshot = await billing.gateway.cancel_subscription(new_id, at_cycle_end=False)
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    await store.observe(
        billing, snapshot, id=f"plan-change-cancel:{uuid.uuid4().hex}", source="plan-change"
    )
    if snapshot.status is not SubscriptionStatus.CANCELLED:
        # Paid meanwhile: the change goes on.
        await finish.after_observing(billing, new_id)
        return problems.NOT_TAKEN_BACK
    await trial.give_back_unpaid(new_id)
    await close(billing, change, PlanChangeState.CANCELLED)
    return change
