"""A subscription's state as stored: the fold's own model embedded whole, statuses as their text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from beanie import PydanticObjectId

from api.documents import Subscription
from api.documents.subscriptions import AccessReason, Snapshot, SubscriptionState
from api.services import Services
from api.statuses import SubscriptionStatus

pytestmark = pytest.mark.asyncio(loop_scope="session")

PERIOD_END = datetime(2026, 2, 1, tzinfo=UTC)


async def test_the_state_is_stored_as_text_and_read_back_as_the_same_typed_state(
    services: Services,
) -> None:
    # given a subscription whose state says a renewal failed
    state = SubscriptionState(
        razorpay=Snapshot(
            status=SubscriptionStatus.PENDING,
            paid_count=1,
            current_start=PERIOD_END - timedelta(days=31),
            current_end=PERIOD_END,
        ),
        access_until=PERIOD_END + timedelta(days=3),
        access_reason=AccessReason.GRACE,
        cancel_at_period_end=True,
    )
    stored = await Subscription(
        user_id=PydanticObjectId(),
        razorpay_subscription_id="sub_StateRoundTrip1",
        razorpay_plan_id="plan_StateRoundTr1",
        plan_code="pro",
        state=state,
        created_at=PERIOD_END,
        updated_at=PERIOD_END,
    ).insert()

    # when it is read back, as the database holds it and as a document
    raw = await services.database["subscriptions"].find_one({"_id": stored.id})
    read = await Subscription.get(stored.id)

    # then the database holds plain text, and the document the same state, typed
    assert raw is not None
    assert (raw["state"]["razorpay"]["status"], raw["state"]["access_reason"]) == (
        "pending",
        "renewal failed: grace period",
    )
    assert read is not None and read.state == state
    assert read.state.razorpay.status is SubscriptionStatus.PENDING
    assert read.state.access_reason is AccessReason.GRACE
