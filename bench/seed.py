"""What the benchmark query reads: one staff member who bought Pro, with a history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.documents import AccessChange, GithubImport, Payment, Refund, Subscription, User
from api.documents.subscriptions import AccessReason, Snapshot, SubscriptionState
from api.statuses import SubscriptionStatus

PAGE = 20  # rows per list in the query: payments (each with a refund), imports, access changes


async def seed(subject: str) -> User:
    now = datetime.now(UTC)
    user = await User(subject=subject, email=f"{subject}@example.com", created_at=now).insert()
    assert user.id is not None
    await Subscription(
        user_id=user.id,
        razorpay_subscription_id="sub_Bench000000001",
        razorpay_plan_id="plan_Bench00000001",
        plan_code="pro",
        state=SubscriptionState(
            razorpay=Snapshot(
                status=SubscriptionStatus.ACTIVE,
                paid_count=1,
                current_start=now - timedelta(days=1),
                current_end=now + timedelta(days=29),
            ),
            access_until=now + timedelta(days=29),
            access_reason=AccessReason.PAID,
        ),
        created_at=now,
        updated_at=now,
    ).insert()
    for i in range(PAGE):
        await _payment(user, i, now - timedelta(days=30 * i))
        await _history(user, i, now - timedelta(days=30 * i))
    return user


async def _payment(user: User, i: int, at: datetime) -> None:
    assert user.id is not None
    await Payment(
        id=f"pay_Bench{i:010d}",
        user_id=user.id,
        razorpay_subscription_id="sub_Bench000000001",
        amount=10_000,
        currency="INR",
        status="captured",
        method="card",
        card_last4="4242",
        card_network="Visa",
        created_at=at,
        recorded_at=at,
        source="bench",
    ).insert()
    await Refund(
        id=f"rfnd_Bench{i:09d}",
        payment_id=f"pay_Bench{i:010d}",
        user_id=user.id,
        amount=100,
        currency="INR",
        status="processed",
        requested_by="support-1",
        created_at=at,
        updated_at=at,
    ).insert()


async def _history(user: User, i: int, at: datetime) -> None:
    assert user.id is not None
    await GithubImport(
        user_id=user.id,
        repository_url=f"https://github.com/octocat/repo-{i}",
        owner="octocat",
        repository=f"repo-{i}",
        status="queued",
        open_key=f"{user.id}:octocat/repo-{i}",
        requested_at=at,
    ).insert()
    await AccessChange(
        id=f"sub_Bench000000001:{i}",
        user_id=user.id,
        razorpay_subscription_id="sub_Bench000000001",
        before=at,
        after=at + timedelta(days=30),
        reason="renewed",
        source="bench",
        at=at,
    ).insert()
