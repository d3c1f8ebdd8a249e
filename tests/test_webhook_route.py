"""The webhook route refuses what it cannot trust and stores nothing of it."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

from api.documents import Payment, SubscriptionObservation, WebhookEvent
from api.services import Services
from tests.signed_webhooks import applied

pytestmark = pytest.mark.asyncio(loop_scope="session")


def envelope(
    *, event: str = "payment.captured", created_at: int = 1_767_225_600, **payload: Any
) -> bytes:
    body = {
        "entity": "event",
        "account_id": "acc_x",
        "event": event,
        "contains": list(payload),
        "payload": payload,
        "created_at": created_at,
    }
    return json.dumps(body).encode()


def signed(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post(
    client: httpx.AsyncClient,
    body: bytes,
    *,
    signature: str | None,
    event_id: str | None = "evt_test0000000001",
) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["X-Razorpay-Signature"] = signature
    if event_id is not None:
        headers["X-Razorpay-Event-Id"] = event_id
    return await client.post("/webhooks/razorpay", content=body, headers=headers)


async def nothing_stored() -> bool:
    return (
        await WebhookEvent.count() == 0
        and await Payment.count() == 0
        and await SubscriptionObservation.count() == 0
    )


@pytest.mark.parametrize(
    "signature",
    [None, "", "0" * 64, "not-hex", signed(envelope(), "another-secret")],
    ids=["missing", "empty", "zeros", "garbage", "other-secret"],
)
async def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, services: Services, signature: str | None
) -> None:
    response = await post(client, envelope(), signature=signature)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_SIGNATURE"
    assert await nothing_stored()


async def test_a_signature_over_other_bytes_is_refused(
    client: httpx.AsyncClient, services: Services
) -> None:
    # given a body signed, then re-serialised (as a careless proxy would)
    original = envelope()
    reserialised = json.dumps(json.loads(original), indent=2).encode()
    assert services.webhook_secret is not None

    response = await post(client, reserialised, signature=signed(original, services.webhook_secret))

    assert response.status_code == 400
    assert await nothing_stored()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"event": 1}',
        b'{"event": "x", "payload": {}}',
        b"\xff\xfe",
        envelope(created_at=10**20),
        b'{"event": "x", "payload": {}, "created_at": ' + b"9" * 5000 + b"}",
    ],
    ids=[
        "broken",
        "list",
        "event-not-string",
        "no-created-at",
        "not-utf8",
        "absurd-created-at",
        "5000-digit-number",
    ],
)
async def test_a_malformed_body_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, services: Services, body: bytes
) -> None:
    assert services.webhook_secret is not None

    response = await post(client, body, signature=signed(body, services.webhook_secret))

    assert response.status_code == 400
    assert await nothing_stored()


async def test_an_event_without_an_event_id_is_refused(
    client: httpx.AsyncClient, services: Services
) -> None:
    body = envelope()
    assert services.webhook_secret is not None

    response = await post(
        client, body, signature=signed(body, services.webhook_secret), event_id=None
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MISSING_EVENT_ID"
    assert await nothing_stored()


async def test_an_unknown_event_is_acknowledged_and_recorded_once(
    client: httpx.AsyncClient, services: Services
) -> None:
    body = envelope(event="payment.dispute.created", payment={"entity": {"id": "pay_x"}})
    assert services.webhook_secret is not None

    first = await post(client, body, signature=signed(body, services.webhook_secret))
    again = await post(client, body, signature=signed(body, services.webhook_secret))

    assert (first.status_code, first.json()) == (200, {"status": "ignored"})
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    stored = await WebhookEvent.get("evt_test0000000001")
    assert stored is not None and (stored.event, stored.status, stored.body) == (
        "payment.dispute.created",
        "ignored",
        body.decode(),
    )


async def test_with_no_webhook_secret_everything_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a service that has no webhook secret, and events signed with what it had before
    assert services.webhook_secret is not None
    body = envelope()
    signatures = [signed(body, services.webhook_secret), signed(body, ""), None]
    monkeypatch.setattr(services, "webhook_secret", None)

    # when each is posted
    responses = [await post(client, body, signature=s) for s in signatures]

    # then every one is refused, and nothing is stored
    assert [(r.status_code, r.json()["error"]["code"]) for r in responses] == [
        (400, "INVALID_SIGNATURE")
    ] * 3
    assert await nothing_stored()


async def test_a_signed_event_with_an_unreadable_entity_is_acknowledged_and_kept_as_failed(
    client: httpx.AsyncClient, services: Services
) -> None:
    # given a signed payment.captured whose payment has no amount
    unreadable = {"id": "pay_NoAmount0000001", "entity": "payment", "status": "captured"}
    body = envelope(payment={"entity": unreadable})
    assert services.webhook_secret is not None

    # when it is delivered, applied, and delivered again
    first = await post(client, body, signature=signed(body, services.webhook_secret))
    await applied(services, "evt_test0000000001")
    again = await post(client, body, signature=signed(body, services.webhook_secret))

    # then both are acknowledged (not a 500 Razorpay would retry for a day): stored, then a
    # duplicate; applying it stored it as failed with the reason, for someone to look at
    assert [(a.status_code, a.json()) for a in (first, again)] == [
        (200, {"status": "received"}),
        (200, {"status": "duplicate"}),
    ]
    stored = await WebhookEvent.get("evt_test0000000001")
    assert stored is not None and stored.status == "failed" and stored.attempts == 1
    assert stored.error is not None and "'amount'" in stored.error
    # and no sweep applies it again: the same bytes would fail every time
    assert stored.retry_at is None
    assert await services.applier.sweep(failed_now=True) == 0
    stored = await WebhookEvent.get("evt_test0000000001")
    assert stored is not None and stored.attempts == 1
    assert await Payment.count() == 0
