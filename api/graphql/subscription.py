"""`subscription`: the viewer's current subscription."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.billing.catalog import PRO
from api.billing.subscription.queries import current_subscription
from api.documents import Subscription
from api.graphql.billing_context import signed_in_user
from api.graphql.context import Info
from api.graphql.guards import guard
from api.graphql.plans import PlanType, plan_type
from api.statuses import SubscriptionStatus

# The stored status itself, so the schema's values cannot drift from it.
strawberry.enum(
    SubscriptionStatus,
    description="Razorpay's subscription status, as this service last learnt it.",
)


# Named for the schema apart from the catalog's `Period` enum (MONTHLY / YEARLY).
@strawberry.type(name="CyclePeriod")
class Period:
    start: datetime
    end: datetime


@strawberry.type(name="Subscription")
class SubscriptionType:
    id: strawberry.ID
    status: SubscriptionStatus
    plan: PlanType
    current_period: Period | None
    access_until: datetime | None = strawberry.field(description="Pro while now is before this.")
    access_reason: str
    cancel_at_period_end: bool
    next_charge_at: datetime | None


def subscription_type(document: Subscription) -> SubscriptionType:
    state, razorpay = document.state, document.state.razorpay
    period = None
    if razorpay.current_start and razorpay.current_end:
        period = Period(start=razorpay.current_start, end=razorpay.current_end)
    charging = razorpay.status.still_charging and not state.cancel_at_period_end
    return SubscriptionType(
        id=strawberry.ID(document.razorpay_subscription_id),
        status=razorpay.status,
        plan=plan_type(PRO),
        current_period=period,
        access_until=state.access_until,
        access_reason=state.access_reason,
        cancel_at_period_end=state.cancel_at_period_end,
        next_charge_at=razorpay.charge_at if charging else None,
    )


@strawberry.type
class SubscriptionQuery:
    @strawberry.field(
        description="The viewer's most recent subscription; null if they never subscribed.",
        extensions=[guard("subscription", "read")],
    )
    async def subscription(self, info: Info) -> SubscriptionType | None:
        user = await signed_in_user(info)
        assert user.id is not None
        found = await current_subscription(user.id)
        return subscription_type(found) if found else None
