"""Reading a user's subscription, and folding what Razorpay says about one into our records."""

from __future__ import annotations

from beanie import PydanticObjectId, SortDirection

from api.billing.attribution import Owner, record_owned_payment
from api.billing.deps import Billing
from api.billing.subscription import store
from api.billing.subscription.lifecycle import FETCHED
from api.documents import Payment, Subscription
from api.gateway.entities import RazorpayPayment, RazorpaySubscription


async def current_subscription(user_id: PydanticObjectId) -> Subscription | None:
    """The user's most recent subscription, paid or not; None if they never subscribed."""
    return (
        await Subscription.find({"user_id": user_id})
        .sort([("created_at", SortDirection.DESCENDING)])
        .first_or_none()
    )


async def owned_subscription(user_id: PydanticObjectId, razorpay_id: str) -> Subscription | None:
    """Scoped by owner: another user's subscription is simply not found."""
    return await Subscription.find_one(
        Subscription.razorpay_subscription_id == razorpay_id, Subscription.user_id == user_id
    )


async def observe_snapshot(
    billing: Billing,
    snapshot: RazorpaySubscription,
    *,
    observation_id: str,
    event: str = FETCHED,
    source: str,
) -> Subscription | None:
    """Record a Razorpay snapshot once and bring the subscription's derived state up to date."""
    now = billing.now()
    observation = store.observation_of(
        snapshot, id=observation_id, event=event, observed_at=now, source=source
    )
    await store.record(observation)
    return await store.refresh(snapshot.id, grace=billing.grace, now=now)


async def record_subscription_payment(
    billing: Billing, subscription: Subscription, payment: RazorpayPayment, *, source: str
) -> Payment | None:
    owner = Owner(subscription.user_id, subscription.razorpay_subscription_id)
    return await record_owned_payment(billing, payment, owner, source=source)
