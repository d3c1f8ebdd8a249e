"""Finding a user's subscriptions."""

from __future__ import annotations

from beanie import PydanticObjectId, SortDirection

from api.documents import Subscription

# A plan change's new subscription is the user's only once paid (or its trial begun): until
# then the subscription it replaces is, untouched.
_COUNTS = {
    "$or": [
        {"replaces": None},
        {"state.razorpay.paid_count": {"$gte": 1}},
        {"state.access_until": {"$ne": None}},
    ]
}


async def current_subscription(user_id: PydanticObjectId) -> Subscription | None:
    """The user's most recent subscription, paid or not; None if they never subscribed."""
    return (
        await Subscription.find({"user_id": user_id, **_COUNTS})
        .sort([("created_at", SortDirection.DESCENDING)])
        .first_or_none()
    )


async def owned_subscription(user_id: PydanticObjectId, razorpay_id: str) -> Subscription | None:
    """Scoped by owner: another user's subscription is simply not found."""
    return await Subscription.find_one(
        Subscription.razorpay_subscription_id == razorpay_id, Subscription.user_id == user_id
    )
