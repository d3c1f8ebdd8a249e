"""`cancelSubscription`: at period end (access stays until it ends) or now (access ends now)."""

from __future__ import annotations

import uuid

from api.billing import outcomes
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.subscription import store
from api.billing.subscription.lifecycle import Decision
from api.billing.subscription.queries import current_subscription
from api.documents import Subscription, SubscriptionObservation, User
from api.gateway.errors import GatewayCallError


async def cancel_subscription(
    billing: Billing, user: User, *, at_period_end: bool
) -> Subscription | Problem:
    assert user.id is not None
    subscription = await current_subscription(user.id)
    if subscription is None or subscription.state.razorpay.status.is_terminal:
        return outcomes.NO_ACTIVE_SUBSCRIPTION
    if at_period_end and subscription.state.cancel_at_period_end:
        return subscription  # asked twice: Razorpay would accept it twice, we need not
    try:
        snapshot = await billing.gateway.cancel_subscription(
            subscription.razorpay_subscription_id, at_cycle_end=at_period_end
        )
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    if at_period_end:
        # Razorpay may mark a cancel-at-cycle-end nowhere in its responses: we keep the intent.
        await _remember_cancel_at_period_end(billing, subscription)
    observed = await store.observe(
        billing, snapshot, id=f"cancel:{uuid.uuid4().hex}", source="mutation:cancelSubscription"
    )
    return observed.subscription or subscription


async def _remember_cancel_at_period_end(billing: Billing, subscription: Subscription) -> None:
    await store.record(
        SubscriptionObservation(
            id=f"cancel-at-period-end:{subscription.razorpay_subscription_id}",
            razorpay_subscription_id=subscription.razorpay_subscription_id,
            event=Decision.CANCEL_REQUESTED,
            observed_at=billing.now(),
            snapshot=subscription.state.razorpay,
            source="mutation:cancelSubscription",
        )
    )
