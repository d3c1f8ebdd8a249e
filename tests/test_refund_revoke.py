"""A refund that revokes access never reports as done what is not: when the revoke cannot be made
(no subscription to revoke) or not finished (Razorpay did not cancel), the answer says so, can be
retried under the same key, and the retry finishes it without refunding twice."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.documents import BillingAccount, Payment, RefundRequest
from api.services import Services
from tests.billing_calls import become_pro, payments_of, plan_of, refund, start_upgrade
from tests.builders import staff_refund_claim
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import at_razorpay, deliver

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def refunds_at_razorpay(sandbox: SandboxDriver, payment_id: str) -> list[int]:
    found = await at_razorpay(sandbox, f"payments/{payment_id}/refunds")
    return [r["amount"] for r in found["items"]]


async def paid_but_not_linked(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> tuple[str, str]:
    """A user who paid at Razorpay, whose payment arrived first without its invoice (so naming no
    subscription yet) and whose other events are held back; returns (subscription, payment)."""
    checkout = await start_upgrade(client)
    await sandbox.hold()
    handler = await sandbox.pay(checkout["subscriptionId"])
    captured = await at_razorpay(sandbox, f"payments/{handler['razorpay_payment_id']}")
    account = await BillingAccount.find_one()
    assert account is not None
    # Found through the user's own customer, the one thing it names.
    bare = {**captured, "invoice_id": None, "customer_id": account.razorpay_customer_id}
    await deliver(
        client, services, "evt_unlinked_00001", "payment.captured", bare["created_at"], payment=bare
    )
    stored = await Payment.get(captured["id"])
    assert stored is not None and stored.razorpay_subscription_id is None
    return checkout["subscriptionId"], captured["id"]


async def held_events_arrive(sandbox: SandboxDriver) -> None:
    """Plain delivery again: what was held is sent, oldest first, and has landed."""
    await sandbox.knobs()
    await sandbox.drain()


async def test_a_revoking_refund_whose_cancel_fails_is_incomplete_until_retried(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a Pro user's payment, and Razorpay failing the next cancel of their subscription
    subscription_id = await become_pro(client, sandbox)
    payment_id = (await payments_of(client))[0]["id"]
    await sandbox.fail_next("POST", f"/v1/subscriptions/{subscription_id}/cancel")
    key = "refund-revoke-cancel1"

    # when staff refund it in full, revoking access
    first = await refund(client, id=payment_id, access="REVOKE_NOW", key=key)

    # then the refund is made and access ended, but the answer says charging is not stopped
    assert first["__typename"] == "RevokeIncomplete"
    assert (first["unfinished"], first["retryable"]) == ("STOP_CHARGING", True)
    assert first["refund"]["amount"]["amount"] == 10000
    assert first["refund"]["id"] in first["message"]
    assert subscription_id in first["message"]
    assert await plan_of(client) == "free"
    assert (await sandbox.subscription(subscription_id))["status"] == "active"

    # when staff send it again under the same key (the fault was used up)
    again = await refund(client, id=payment_id, access="REVOKE_NOW", key=key)
    await sandbox.drain()

    # then it is the same refund, the subscription is cancelled, and nothing is charged later
    assert (again["__typename"], again["id"]) == ("Refund", first["refund"]["id"])
    assert (await sandbox.subscription(subscription_id))["status"] == "cancelled"
    assert await refunds_at_razorpay(sandbox, payment_id) == [10000]
    await sandbox.advance(days=40)
    assert [p["id"] for p in await payments_of(client)] == [payment_id]
    assert await plan_of(client) == "free"


async def test_a_revoking_refund_of_a_payment_not_linked_yet_is_refused_until_it_is(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a payment that names no subscription yet
    subscription_id, payment_id = await paid_but_not_linked(client, services, sandbox)
    key = "refund-not-linked-01"

    # when staff refund it, revoking access
    refused = await refund(client, id=payment_id, access="REVOKE_NOW", key=key)

    # then it is refused as retryable before any money moves, leaving the key unused
    assert (refused["code"], refused["retryable"]) == ("PAYMENT_NOT_LINKED", True)
    assert await refunds_at_razorpay(sandbox, payment_id) == []
    assert await RefundRequest.get(key) is None

    # when the subscription's events arrive and staff retry under the same key
    await held_events_arrive(sandbox)
    assert await plan_of(client) == "pro"
    made = await refund(client, id=payment_id, access="REVOKE_NOW", key=key)
    await sandbox.drain()

    # then it is refunded once, access has ended and the subscription is cancelled
    assert (made["__typename"], made["amount"]["amount"]) == ("Refund", 10000)
    assert await refunds_at_razorpay(sandbox, payment_id) == [10000]
    assert await plan_of(client) == "free"
    assert (await sandbox.subscription(subscription_id))["status"] == "cancelled"


async def test_a_refund_claimed_before_its_payment_was_linked_is_incomplete_until_it_is(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a revoking refund claimed (by an earlier version, which did not check the link) for a
    # payment that names no subscription yet
    subscription_id, payment_id = await paid_but_not_linked(client, services, sandbox)
    key = "refund-old-claim-001"
    await staff_refund_claim(key=key, payment_id=payment_id, at=services.clock.now()).insert()

    # when staff send it
    first: dict[str, Any] = await refund(client, id=payment_id, access="REVOKE_NOW", key=key)

    # then the refund is made, and the answer says access was not revoked
    assert first["__typename"] == "RevokeIncomplete"
    assert (first["unfinished"], first["retryable"]) == ("REVOKE_ACCESS", True)
    assert payment_id in first["message"]
    assert await refunds_at_razorpay(sandbox, payment_id) == [10000]

    # when the subscription's events arrive and staff retry under the same key
    await held_events_arrive(sandbox)
    again = await refund(client, id=payment_id, access="REVOKE_NOW", key=key)
    await sandbox.drain()

    # then it is the same refund, access has ended and the subscription is cancelled
    assert (again["__typename"], again["id"]) == ("Refund", first["refund"]["id"])
    assert await refunds_at_razorpay(sandbox, payment_id) == [10000]
    assert await plan_of(client) == "free"
    assert (await sandbox.subscription(subscription_id))["status"] == "cancelled"
