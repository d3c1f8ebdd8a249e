"""What signed events do to the records: amounts checked against the plan, stale events noted."""

from __future__ import annotations

import httpx
import pytest

from api.documents import Payment, WebhookEvent
from api.services import Services
from tests.billing_calls import call, staff_payments_of
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import a_paid_subscription, deliver, payment

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_payment_whose_amount_differs_from_the_plan_is_recorded_and_flagged(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a subscription Razorpay charged a different amount for
    snapshot = await a_paid_subscription(client, sandbox)
    odd = payment(id="pay_OddAmount000001", amount=5000, at=snapshot["current_start"])

    # when the charge arrives
    response = await deliver(
        client,
        services,
        "evt_odd_amount_01",
        "subscription.charged",
        snapshot["created_at"] + 10,
        subscription=snapshot,
        payment=odd,
    )

    # then it is recorded, flagged, and shown as flagged to staff
    assert response.status_code == 200
    stored = await Payment.get("pay_OddAmount000001")
    assert stored is not None and (
        stored.amount,
        stored.expected_amount,
        stored.amount_mismatch,
    ) == (5000, 10000, True)
    nodes = await staff_payments_of(client)
    assert {n["id"]: n["amountFlagged"] for n in nodes}["pay_OddAmount000001"] is True


async def test_a_late_event_is_recorded_as_stale_and_moves_nothing_back(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a subscription cancelled after being paid
    active = await a_paid_subscription(client, sandbox)
    await call(client, "mutation { cancelSubscription(atPeriodEnd: false) { __typename } }")

    # when an old "activated" event arrives late
    response = await deliver(
        client,
        services,
        "evt_late_activated",
        "subscription.activated",
        active["created_at"] + 1,
        subscription=active,
    )

    # then it is stored as stale and the subscription stays cancelled
    assert response.json() == {"status": "stale"}
    event = await WebhookEvent.get("evt_late_activated")
    assert event is not None and event.status == "stale"
    data = await call(client, "{ subscription { status } entitlements { plan { code } } }")
    assert (data["subscription"]["status"], data["entitlements"]["plan"]["code"]) == (
        "CANCELLED",
        "free",
    )
