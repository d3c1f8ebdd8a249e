"""Whether a user's subscription stands in the way of buying another: never two live ones.

An authenticated (first charge to come), active, pending (Razorpay retrying a renewal) or paused
subscription can still charge or grant Pro, so a second one is refused with a typed reason. A
halted one, or one whose access a refund revoked, is cancelled at Razorpay first, so that it can
never charge later (a card update revives a halted subscription); an ended one is simply over.
"""

from __future__ import annotations

import uuid

from beanie import PydanticObjectId

from api.billing import outcomes
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.subscription import store
from api.documents import Subscription
from api.gateway.entities import RazorpaySubscription
from api.gateway.errors import GatewayCallError, GatewayRejected
from api.statuses import SubscriptionStatus

UNPAID = SubscriptionStatus.CREATED  # a checkout nobody paid: it is reused, never an obstacle
# Why a live subscription in each status forbids another (a halted one is cancelled instead).
BLOCKED_BY: dict[SubscriptionStatus, Problem] = {
    SubscriptionStatus.AUTHENTICATED: outcomes.SUBSCRIPTION_STARTING,
    SubscriptionStatus.ACTIVE: outcomes.ALREADY_SUBSCRIBED,
    SubscriptionStatus.PENDING: outcomes.RENEWAL_PENDING,
    SubscriptionStatus.PAUSED: outcomes.SUBSCRIPTION_PAUSED,
}
LIVE = [status for status in SubscriptionStatus if status.is_live]


async def first_obstacle(billing: Billing, user_id: PydanticObjectId) -> Problem | None:
    """Why any of the user's subscriptions forbids a new one, if one does."""
    candidates = await Subscription.find(
        {"user_id": user_id, "state.razorpay.status": {"$in": LIVE}}
    ).to_list()
    for subscription in candidates:
        problem = await obstacle(billing, subscription)
        if problem is not None:
            return problem
    return None


async def obstacle(billing: Billing, subscription: Subscription) -> Problem | None:
    """Why this subscription forbids a new one; None when it is over, or has been made so."""
    status = subscription.state.razorpay.status
    if not status.is_live:
        return None
    if status is SubscriptionStatus.HALTED or subscription.state.revoked:
        return await _end(billing, subscription)
    return BLOCKED_BY.get(status, outcomes.ALREADY_SUBSCRIBED)


async def _end(billing: Billing, subscription: Subscription) -> Problem | None:
    """Cancel it at Razorpay, unless Razorpay says it ended already or came back to life."""
    razorpay_id = subscription.razorpay_subscription_id
    try:
        snapshot = await billing.gateway.fetch_subscription(razorpay_id)
        if snapshot.status is SubscriptionStatus.HALTED or (
            subscription.state.revoked and not snapshot.status.is_terminal
        ):
            snapshot = await _cancel(billing, razorpay_id)
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    await store.observe(
        billing, snapshot, id=f"upgrade:{uuid.uuid4().hex}", source="mutation:upgrade"
    )
    if snapshot.status.is_terminal:
        return None
    return BLOCKED_BY.get(snapshot.status, outcomes.ALREADY_SUBSCRIBED)


async def _cancel(billing: Billing, razorpay_id: str) -> RazorpaySubscription:
    try:
        return await billing.gateway.cancel_subscription(razorpay_id, at_cycle_end=False)
    except GatewayRejected:
        # Another tab's upgrade may have cancelled it a moment ago: what is it now?
        return await billing.gateway.fetch_subscription(razorpay_id)
