"""The gateway's subscription updates against the running sandbox, through the real SDK:
PATCH now and at cycle end, the scheduled change read and cancelled, the refusals by payment
method as typed errors, and a future start."""

from __future__ import annotations

from typing import Any

import pytest

from api.gateway import (
    RazorpayGateway,
    ScheduleChangeAt,
    SubscriptionNotUpdatable,
    UpdateChargeFailed,
)
from api.gateway.entities import RazorpaySubscription
from api.services import Services
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")
DAY = 86_400


async def paid(
    gateway: RazorpayGateway, sandbox: SandboxDriver, **payer: Any
) -> RazorpaySubscription:
    plan = await gateway.create_plan("Pro", 10000)
    created = await gateway.create_subscription(plan.id, 12, customer_notify=False)
    await sandbox.pay(created.id, **payer)
    return await gateway.fetch_subscription(created.id)


async def test_update_now_and_scheduled(services: Services, sandbox: SandboxDriver) -> None:
    gateway = services.billing.gateway
    # given an active subscription paid by an international card, and a dearer plan
    sub = await paid(gateway, sandbox, international=True)
    teams = await gateway.create_plan("Teams", 499900)
    assert sub.payment_method == "card"
    # when it is scheduled for cycle end, read back, and cancelled
    scheduled = await gateway.update_subscription(
        sub.id, plan_id=teams.id, schedule_change_at="cycle_end"
    )
    preview = await gateway.fetch_scheduled_changes(sub.id)
    cancelled = await gateway.cancel_scheduled_changes(sub.id)
    # then the change showed as scheduled at the cycle end, and is gone
    assert scheduled.has_scheduled_changes and scheduled.change_scheduled_at == sub.current_end
    assert (scheduled.plan_id, preview.plan_id) == (sub.plan_id, teams.id)
    assert not cancelled.has_scheduled_changes and cancelled.change_scheduled_at is None
    # and an immediate change takes the new plan at once
    now = await gateway.update_subscription(sub.id, plan_id=teams.id, schedule_change_at="now")
    assert now.plan_id == teams.id


async def test_refusals_are_typed(services: Services, sandbox: SandboxDriver) -> None:
    gateway = services.billing.gateway
    teams = await gateway.create_plan("Teams", 499900)
    # given subscriptions paid by UPI and by a domestic card
    upi = await paid(gateway, sandbox, method="upi")
    domestic = await paid(gateway, sandbox)
    # then Razorpay refuses to change their plan, at once or at cycle end
    whens: tuple[ScheduleChangeAt, ...] = ("now", "cycle_end")
    for sub in (upi, domestic):
        for when in whens:
            with pytest.raises(SubscriptionNotUpdatable):
                await gateway.update_subscription(sub.id, plan_id=teams.id, schedule_change_at=when)
    # and a failed prorated charge is its own error
    card = await paid(gateway, sandbox, international=True)
    await sandbox.next_charge(card.id, fail="card_declined")
    with pytest.raises(UpdateChargeFailed):
        await gateway.update_subscription(card.id, plan_id=teams.id, schedule_change_at="now")
    assert (await gateway.fetch_subscription(card.id)).plan_id == card.plan_id


async def test_future_start(services: Services, sandbox: SandboxDriver) -> None:
    gateway = services.billing.gateway
    plan = await gateway.create_plan("Teams", 499900)
    start_at = await sandbox.now() + 14 * DAY
    # when a subscription starting in 14 days is authenticated at Checkout
    created = await gateway.create_subscription(plan.id, 12, start_at=start_at)
    await sandbox.pay(created.id)
    sub = await gateway.fetch_subscription(created.id)
    # then it is authenticated, starts then, and nothing has been invoiced
    assert sub.status.value == "authenticated"
    assert sub.start_at is not None and int(sub.start_at.timestamp()) == start_at
    assert sub.paid_count == 0
    assert await gateway.list_subscription_invoices(sub.id) == []
