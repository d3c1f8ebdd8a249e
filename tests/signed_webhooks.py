"""Razorpay's webhooks as the service receives them: signed envelopes, posted by the test."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import httpx

from api.documents import WebhookEvent
from api.documents.events import EventStatus
from api.services import Services
from tests.billing_calls import start_upgrade
from tests.sandbox_driver import SandboxDriver

UNSETTLED = (EventStatus.PENDING, EventStatus.RECEIVED)
# As many times as the test sandbox delivers a failing event (TEST_SANDBOX's max_attempts).
SETTLE_ROUNDS = 12


def envelope(event: str, created_at: int, **entities: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "entity": "event",
            "event": event,
            "contains": list(entities),
            "payload": {name: {"entity": value} for name, value in entities.items()},
            "created_at": created_at,
        }
    ).encode()


async def post_signed(
    client: httpx.AsyncClient, services: Services, event_id: str, body: bytes
) -> httpx.Response:
    """Deliver a signed event; when it is acknowledged `received`, wait until the service's
    background applier has applied it and answer how that ended (the stored status), in the
    shape of an acknowledgement: `{"status": "processed"}`, `{"status": "failed", ...}`."""
    acknowledged = await acknowledgement(client, services, event_id, body)
    if acknowledged.status_code != 200 or acknowledged.json()["status"] != "received":
        return acknowledged
    return await applied(services, event_id)


async def acknowledgement(
    client: httpx.AsyncClient, services: Services, event_id: str, body: bytes
) -> httpx.Response:
    """The HTTP answer to a signed delivery, without waiting for it to be applied."""
    assert services.webhook_secret is not None
    signature = hmac.new(services.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    return await client.post(
        "/webhooks/razorpay",
        content=body,
        headers={"X-Razorpay-Signature": signature, "X-Razorpay-Event-Id": event_id},
    )


async def applied(services: Services, event_id: str) -> httpx.Response:
    """Once the applier's queue is drained and no one is applying the event (a sweep of the
    app's own may be): how the event stands, as a response body."""
    await services.applier.drained()
    stored = await WebhookEvent.get(event_id)
    for _ in range(1000):
        if stored is not None and stored.status not in UNSETTLED:
            break
        await asyncio.sleep(0.01)
        stored = await WebhookEvent.get(event_id)
    assert stored is not None and stored.status not in UNSETTLED, event_id
    if stored.status is EventStatus.FAILED:
        return httpx.Response(200, json={"status": "failed", "error": stored.error})
    return httpx.Response(200, json={"status": stored.status.value})


async def settled(services: Services) -> None:
    """Once what the service acknowledged is applied, and what failed was applied again (as a
    sweep does at its `retry_at`) until it applies or as often as Razorpay would have delivered
    it: the state a burst of deliveries leaves once Razorpay and the service are done."""
    for _ in range(SETTLE_ROUNDS):
        await services.applier.drained()
        if not await services.applier.sweep(failed_now=True):
            return


async def deliver(
    client: httpx.AsyncClient,
    services: Services,
    event_id: str,
    event: str,
    created_at: int,
    **entities: dict[str, Any],
) -> httpx.Response:
    return await post_signed(client, services, event_id, envelope(event, created_at, **entities))


def payment(
    *, id: str, amount: int, at: int, status: str = "captured", **fields: Any
) -> dict[str, Any]:
    """A payment entity; `fields` adds or overrides (invoice_id, customer_id, error_code, ...)."""
    captured = status in ("captured", "refunded")
    return {
        "id": id,
        "entity": "payment",
        "amount": amount,
        "currency": "INR",
        "status": status,
        "method": "card",
        "captured": captured,
        "amount_refunded": 0,
        "refund_status": None,
        "invoice_id": None,
        "customer_id": None,
        "error_code": None if captured else "BAD_REQUEST_ERROR",
        "error_description": None if captured else "Your payment was declined.",
        "created_at": at,
        "card": {"last4": "4366", "network": "Visa"},
        **fields,
    }


def invoice(*, id: str, subscription_id: str, payment_id: str, amount: int) -> dict[str, Any]:
    return {
        "id": id,
        "entity": "invoice",
        "subscription_id": subscription_id,
        "payment_id": payment_id,
        "status": "paid",
        "amount": amount,
        "currency": "INR",
    }


def refund(*, id: str, payment_id: str, amount: int, at: int) -> dict[str, Any]:
    return {
        "id": id,
        "entity": "refund",
        "payment_id": payment_id,
        "amount": amount,
        "currency": "INR",
        "status": "processed",
        "speed_requested": "normal",
        "created_at": at,
    }


async def at_razorpay(sandbox: SandboxDriver, path: str) -> dict[str, Any]:
    """An entity exactly as Razorpay (the sandbox) returns it, e.g. `payments/pay_...`."""
    response = await sandbox.http.get(f"/sandbox/v1/{path}", auth=sandbox.auth)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def a_paid_subscription(client: httpx.AsyncClient, sandbox: SandboxDriver) -> dict[str, Any]:
    """The caller's upgrade, paid, its webhooks delivered: the subscription at Razorpay."""
    checkout = await start_upgrade(client)
    await sandbox.pay(checkout["subscriptionId"])
    await sandbox.drain()
    return await sandbox.subscription(checkout["subscriptionId"])
