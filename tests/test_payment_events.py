"""Payment and refund events filed under the right user, whatever order they arrive in.

A payment is found through our own subscription (its invoice names it), never through a Razorpay
customer that several users share; what a later event says fills in what an earlier one lacked.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from api.documents import BillingAccount, Payment, User, WebhookEvent
from api.services import Services
from tests.billing_calls import (
    UPGRADE,
    payments_of,
    plan_of,
    refund,
    staff_payments_of,
    start_upgrade,
)
from tests.builders import graphql, token
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import (
    applied,
    at_razorpay,
    deliver,
    envelope,
    invoice,
    payment,
    post_signed,
)
from tests.signed_webhooks import refund as refund_entity

pytestmark = pytest.mark.asyncio(loop_scope="session")
SHARED_EMAIL = "shared-inbox@example.com"


async def customer_of(subject: str) -> str:
    user = await User.find_one(User.subject == subject)
    assert user is not None
    account = await BillingAccount.find_one(BillingAccount.user_id == user.id)
    assert account is not None
    return account.razorpay_customer_id


async def upgrade_with_email(client: httpx.AsyncClient, subject: str, email: str) -> str:
    bearer = token(sub=subject, email=email)
    variables = {"key": f"upgrade-{uuid.uuid4().hex}"}
    response = await graphql(client, UPGRADE, variables=variables, bearer=bearer)
    subscription_id: str = response.json()["data"]["upgrade"]["subscriptionId"]
    return subscription_id


async def two_users_sharing_a_customer(client: httpx.AsyncClient) -> tuple[str, str]:
    """user-a and user-b, one email, so one Razorpay customer; returns it and b's subscription."""
    await upgrade_with_email(client, "user-a", SHARED_EMAIL)
    subscription_b = await upgrade_with_email(client, "user-b", SHARED_EMAIL)
    customer = await customer_of("user-a")
    assert await customer_of("user-b") == customer
    return customer, subscription_b


async def deliver_invoice_paid(
    client: httpx.AsyncClient,
    services: Services,
    event_id: str,
    at: int,
    paid: dict[str, Any],
    *,
    invoice_id: str,
    subscription_id: str,
    amount: int,
) -> httpx.Response:
    """invoice.paid for `paid`, naming the subscription it was for."""
    bill = invoice(
        id=invoice_id, subscription_id=subscription_id, payment_id=paid["id"], amount=amount
    )
    return await deliver(
        client,
        services,
        event_id,
        "invoice.paid",
        at,
        payment={**paid, "invoice_id": invoice_id},
        invoice=bill,
    )


async def test_a_payment_captured_before_the_subscription_events_is_the_subscriptions(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a user who paid at Razorpay, whose other events are held back
    checkout = await start_upgrade(client)
    await sandbox.hold()
    handler = await sandbox.pay(checkout["subscriptionId"])
    captured = await at_razorpay(sandbox, f"payments/{handler['razorpay_payment_id']}")

    # when payment.captured arrives first
    response = await deliver(
        client,
        services,
        "evt_captured_first1",
        "payment.captured",
        captured["created_at"],
        payment=captured,
    )

    # then the payment is the subscription's, at the plan's price, so a refund that revokes
    # access ends Pro and the subscription, also once the held events arrive
    assert response.json() == {"status": "processed"}
    stored = await Payment.get(captured["id"])
    assert stored is not None
    assert (stored.razorpay_subscription_id, stored.expected_amount) == (
        checkout["subscriptionId"],
        10000,
    )
    made = await refund(client, id=captured["id"], access="REVOKE_NOW")
    assert "subscription.activated" in await sandbox.release()
    assert made["__typename"] == "Refund"
    assert (await sandbox.subscription(checkout["subscriptionId"]))["status"] == "cancelled"
    assert await plan_of(client) == "free"


async def test_a_payment_first_seen_without_its_subscription_is_linked_and_checked_later(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a payment of a different amount, first seen with nothing but its customer
    checkout = await start_upgrade(client)
    at = await sandbox.now()
    odd = payment(
        id="pay_LinkedLater00001", amount=5000, at=at, customer_id=await customer_of("user-1")
    )
    await deliver(client, services, "evt_linked_later_01", "payment.captured", at, payment=odd)
    first = await Payment.get(odd["id"])
    assert first is not None and (first.razorpay_subscription_id, first.amount_mismatch) == (
        None,
        False,
    )

    # when invoice.paid names its subscription
    await deliver_invoice_paid(
        client,
        services,
        "evt_linked_later_02",
        at + 1,
        odd,
        invoice_id="inv_LinkedLater0001",
        subscription_id=checkout["subscriptionId"],
        amount=5000,
    )

    # then the payment is the subscription's, checked against the plan, and flagged
    stored = await Payment.get(odd["id"])
    assert stored is not None
    assert (
        stored.razorpay_subscription_id,
        stored.razorpay_invoice_id,
        stored.expected_amount,
        stored.amount_mismatch,
    ) == (checkout["subscriptionId"], "inv_LinkedLater0001", 10000, True)
    assert [n["amountFlagged"] for n in await staff_payments_of(client)] == [True]


async def test_a_payment_of_a_shared_customer_goes_to_whoever_its_subscription_belongs_to(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given two users who share a Razorpay customer, and user-b's payment
    customer, subscription_b = await two_users_sharing_a_customer(client)
    at = await sandbox.now()
    paid = payment(id="pay_SharedCustomer1", amount=10000, at=at, customer_id=customer)

    # when payment.captured arrives with only the customer to say whose it is
    first = await deliver(
        client, services, "evt_shared_cust_01", "payment.captured", at, payment=paid
    )

    # then it is filed under nobody yet
    assert first.json() == {"status": "ignored"}
    assert await Payment.count() == 0

    # and when invoice.paid names user-b's subscription, it is user-b's alone
    await deliver_invoice_paid(
        client,
        services,
        "evt_shared_cust_02",
        at + 1,
        paid,
        invoice_id="inv_SharedCustomer1",
        subscription_id=subscription_b,
        amount=10000,
    )
    assert [p["id"] for p in await payments_of(client, user="user-b")] == [paid["id"]]
    assert await payments_of(client, user="user-a") == []


@pytest.mark.parametrize(
    "order",
    [("payment.failed", "payment.captured"), ("payment.captured", "payment.failed")],
    ids=["late-authorisation", "late-failure"],
)
async def test_a_payment_status_only_moves_forward(
    client: httpx.AsyncClient,
    services: Services,
    sandbox: SandboxDriver,
    order: tuple[str, str],
) -> None:
    # given a user's payment that failed, then was authorised late and captured
    await start_upgrade(client)
    at = await sandbox.now()
    customer = await customer_of("user-1")
    seen = {
        "payment.failed": payment(
            id="pay_LateAuthorised1", amount=10000, at=at, status="failed", customer_id=customer
        ),
        "payment.captured": payment(
            id="pay_LateAuthorised1", amount=10000, at=at, customer_id=customer
        ),
    }

    # when its events arrive in this order
    for n, event in enumerate(order):
        await deliver(client, services, f"evt_late_auth_0{n}", event, at + n, payment=seen[event])

    # then it is captured, with no failure left on it
    stored = await Payment.get("pay_LateAuthorised1")
    assert stored is not None
    assert (stored.status, stored.error_code, stored.error_description) == ("captured", None, None)


async def test_a_refund_arriving_before_its_payment_records_both(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a user who paid at Razorpay, part of it refunded there, all events held back
    checkout = await start_upgrade(client)
    await sandbox.hold()
    payment_id = (await sandbox.pay(checkout["subscriptionId"]))["razorpay_payment_id"]
    made = await sandbox.http.post(
        f"/sandbox/v1/payments/{payment_id}/refund", json={"amount": 2500}, auth=sandbox.auth
    )
    body = envelope(
        "refund.processed",
        await sandbox.now(),
        refund=made.json(),
        payment=await at_razorpay(sandbox, f"payments/{payment_id}"),
    )

    # when refund.processed is the first event to arrive
    response = await post_signed(client, services, "evt_refund_first_01", body)

    # then the payment is recorded as the subscription's, with the refund
    assert response.json() == {"status": "processed"}
    shown = await payments_of(client)
    assert [
        (p["id"], p["subscriptionId"], p["status"], p["refunded"]["amount"]) for p in shown
    ] == [(payment_id, checkout["subscriptionId"], "partially_refunded", 2500)]
    assert "refund.processed" in await sandbox.release()


async def test_a_refund_of_a_payment_not_yet_attributable_is_applied_on_a_retry(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a payment of a customer two users share, and its refund
    customer, subscription_b = await two_users_sharing_a_customer(client)
    at = await sandbox.now()
    paid = payment(id="pay_RefundedEarly01", amount=10000, at=at, customer_id=customer)
    body = envelope(
        "refund.processed",
        at + 5,
        refund=refund_entity(id="rfnd_Early00000001", payment_id=paid["id"], amount=2500, at=at),
        payment={**paid, "amount_refunded": 2500, "refund_status": "partial"},
    )

    # when the refund arrives before anything says whose payment it is
    early = await post_signed(client, services, "evt_refund_early_01", body)

    # then it is not applied for now, and kept as failed so that a retry applies it
    assert early.json()["status"] == "failed"
    stored = await WebhookEvent.get("evt_refund_early_01")
    assert stored is not None and stored.status == "failed"

    # when invoice.paid names user-b's subscription and the failed refund is retried
    await deliver_invoice_paid(
        client,
        services,
        "evt_refund_early_02",
        at + 1,
        paid,
        invoice_id="inv_RefundedEarly01",
        subscription_id=subscription_b,
        amount=10000,
    )
    await services.applier.sweep(failed_now=True)

    # then the refund is applied to user-b's payment
    assert (await applied(services, "evt_refund_early_01")).json() == {"status": "processed"}
    shown = await payments_of(client, user="user-b")
    assert [(p["status"], p["refunded"]["amount"]) for p in shown] == [("partially_refunded", 2500)]


async def test_events_racing_about_one_payment_leave_everything_each_one_knew(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a user's payment that failed, was authorised late, and was billed on an invoice
    checkout = await start_upgrade(client)
    at = await sandbox.now()
    customer = await customer_of("user-1")
    pay_id, bill_id = "pay_RacingEvents001", "inv_RacingEvents001"
    bill = invoice(
        id=bill_id, subscription_id=checkout["subscriptionId"], payment_id=pay_id, amount=9000
    )
    failed = payment(id=pay_id, amount=9000, at=at, status="failed", customer_id=customer)
    captured = payment(id=pay_id, amount=9000, at=at, customer_id=customer)

    # when its events arrive all at once
    await asyncio.gather(
        deliver(client, services, "evt_racing_0001", "payment.failed", at, payment=failed),
        deliver(client, services, "evt_racing_0002", "payment.captured", at, payment=captured),
        deliver(
            client,
            services,
            "evt_racing_0003",
            "invoice.paid",
            at,
            payment={**captured, "invoice_id": bill_id},
            invoice=bill,
        ),
    )

    # then the record holds all of it: captured, the subscription's, checked and flagged
    stored = await Payment.get(pay_id)
    assert stored is not None
    assert (
        stored.status,
        stored.razorpay_subscription_id,
        stored.expected_amount,
        stored.amount_mismatch,
        stored.error_code,
    ) == ("captured", checkout["subscriptionId"], 10000, True, None)
