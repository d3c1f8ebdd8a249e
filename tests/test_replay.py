"""Replaying stored webhook events: a failed one gets applied, a processed one is a duplicate."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from api.billing.events.inbox import Outcome
from api.billing.events.replay import Chosen, replay, stored_events
from api.documents import Payment, WebhookEvent
from api.documents.events import EventStatus
from api.services import Services
from tests.billing_calls import become_pro, payments_of
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import at_razorpay, deliver, payment

pytestmark = pytest.mark.asyncio(loop_scope="session")
BUDGET = timedelta(seconds=3)


async def failed_payment_event(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Services
) -> str:
    """A payment.captured of the user's subscription that failed: Razorpay was down when the
    inbox looked up its invoice. Returns the event id."""
    await become_pro(client, sandbox)
    [first] = await payments_of(client)
    invoice_id = (await at_razorpay(sandbox, f"payments/{first['id']}"))["invoice_id"]
    await sandbox.fail_next("GET", f"/v1/invoices/{invoice_id}", count=10)
    at = int(services.billing.now().timestamp())
    captured = payment(id="pay_replayed1", amount=10000, at=at, invoice_id=invoice_id)
    response = await deliver(
        client, services, "evt_replayed1", "payment.captured", at, payment=captured
    )
    # acknowledged, then failed applying: stored failed, due again later
    assert (response.status_code, response.json()["status"]) == (200, "failed")
    await sandbox.clear_faults()
    return "evt_replayed1"


async def test_a_failed_event_replays_to_processed_and_again_as_a_duplicate(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Services
) -> None:
    # given a stored event that failed, listed among the failed ones
    event_id = await failed_payment_event(client, sandbox, services)
    failed = await stored_events(Chosen(failed=True))
    assert [event.id for event in failed] == [event_id]
    assert await Payment.get("pay_replayed1") is None

    # when the failed events are replayed
    first = [await replay(services.billing, event, budget=BUDGET) for event in failed]

    # then it is applied: processed, and its payment recorded
    assert [handled.status for handled in first] == [Outcome.PROCESSED]
    stored = await WebhookEvent.get(event_id)
    assert stored is not None and stored.status is EventStatus.PROCESSED
    assert await Payment.get("pay_replayed1") is not None
    assert await stored_events(Chosen(failed=True)) == []

    # and replayed again by id, it is a duplicate that changes nothing
    [again] = await stored_events(Chosen(event_id=event_id))
    assert (await replay(services.billing, again, budget=BUDGET)).status is Outcome.DUPLICATE


async def test_replaying_every_stored_event_of_a_journey_changes_nothing(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Services
) -> None:
    # given a user who became Pro through delivered webhooks
    await become_pro(client, sandbox)
    before = await payments_of(client)
    events = await stored_events(Chosen(since=services.billing.now() - timedelta(days=1)))
    assert events

    # when all of them are replayed
    outcomes = {(await replay(services.billing, e, budget=BUDGET)).status for e in events}

    # then every one is a duplicate, and the payments are as they were
    assert outcomes == {Outcome.DUPLICATE}
    assert await payments_of(client) == before
