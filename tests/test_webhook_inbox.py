"""An event is stored once and applied once, within the budget; what is not applied is applied
again by a sweep.

Razorpay delivers at least once and sometimes the same event several times at once; it waits 5 s
for an answer. Deliveries racing on one event store it once; the others are told it is stored
(200 duplicate) and apply nothing. A handler cut off at the budget, or whose record would not
settle, leaves the event failed, due again, and a sweep applies it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from beanie import PydanticObjectId

from api.app import create_app
from api.billing.convergence import MAX_ROUNDS, NotConverged, Settled, until_settled
from api.billing.deps import Billing
from api.billing.events import inbox
from api.documents import Payment, Subscription, WebhookClaim, WebhookEvent
from api.documents.events import EventStatus
from api.services import Services
from tests.conftest import loopback_listener, make_settings
from tests.gateway.fault_server import FaultServer, Reply
from tests.sandbox_driver import SandboxDriver
from tests.serving import serving
from tests.signed_webhooks import (
    a_paid_subscription,
    acknowledgement,
    applied,
    deliver,
    envelope,
    invoice,
    payment,
    post_signed,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUBSCRIPTION_ID = "sub_InboxTest00001"
INVOICE_ID = "inv_InboxTest00001"
PAYMENT_ID = "pay_InboxTest00001"
INVOICE_PATH = f"/v1/invoices/{INVOICE_ID}"
AT = 1_767_225_600


@pytest.fixture
def razorpay() -> Iterator[FaultServer]:
    with FaultServer().running() as running:
        yield running


Served = Callable[[float], AbstractAsyncContextManager[tuple[httpx.AsyncClient, Services]]]


@asynccontextmanager
async def service_against(
    razorpay: FaultServer, *, budget: float, mongodb_uri: str, database_name: str, data_dir: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """The service, served over loopback, with `razorpay` as its Razorpay and a handler budget
    of `budget` seconds."""
    with loopback_listener() as listener:
        port = listener.getsockname()[1]
        app = create_app(
            make_settings(
                mongodb_uri=mongodb_uri,
                mongodb_db=database_name,
                data_dir=data_dir,
                port=port,
                razorpay_key_id="rzp_test_inbox000001",
                razorpay_key_secret="inbox-key-secret",
                razorpay_webhook_secret="inbox-webhook-secret",
                razorpay_plan_id="plan_InboxTest0001",
                razorpay_base_url=razorpay.base_url,
                webhook_budget_seconds=budget,
            )
        )
        async with (
            serving(app, listener),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
        ):
            yield http, app.state.services


@pytest.fixture
def served_with_budget(
    razorpay: FaultServer,
    mongodb_uri: str,
    database_name: str,
    tmp_path: Path,
    services: Services,
) -> Iterator[Served]:
    """The service against `razorpay`, with the handler budget each test gives it. The session's
    app is held meanwhile: in this process it reads the same documents, and its sweep (on its
    clock, which earlier tests moved on) would apply this service's failed events at their
    `retry_at` through its own Razorpay, which knows none of them."""
    with services.applier.held():
        yield lambda budget: service_against(
            razorpay,
            budget=budget,
            mongodb_uri=mongodb_uri,
            database_name=database_name,
            data_dir=tmp_path,
        )


async def a_subscription_of_ours() -> PydanticObjectId:
    """A subscription as `upgrade` stores it; returns its user's id."""
    user_id = PydanticObjectId()
    now = datetime.now(UTC)
    await Subscription(
        user_id=user_id,
        razorpay_subscription_id=SUBSCRIPTION_ID,
        razorpay_plan_id="plan_InboxTest0001",
        plan_code="pro",
        created_at=now,
        updated_at=now,
    ).insert()
    return user_id


def captured_with_its_invoice_at_razorpay() -> bytes:
    """payment.captured naming an invoice the event does not carry: the handler fetches it."""
    paid = payment(id=PAYMENT_ID, amount=10_000, at=AT, invoice_id=INVOICE_ID)
    return envelope("payment.captured", AT + 5, payment=paid)


def the_invoice(*, held_until: threading.Event | None = None) -> Reply:
    entity = invoice(
        id=INVOICE_ID, subscription_id=SUBSCRIPTION_ID, payment_id=PAYMENT_ID, amount=10_000
    )
    return Reply(body=json.dumps(entity).encode(), held_until=held_until)


async def until_razorpay_has_seen(razorpay: FaultServer, path: str) -> None:
    for _ in range(1000):
        if razorpay.seen("GET", path):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the service never asked Razorpay for {path}")


async def stored_event(event_id: str) -> WebhookEvent:
    found = await WebhookEvent.get(event_id)
    assert found is not None
    return found


async def until_done(event_id: str) -> WebhookEvent:
    """The event once done: a sweep of the app's own (every few seconds) may be applying it."""
    for _ in range(1000):
        found = await stored_event(event_id)
        if found.status.is_done:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"{event_id} was never applied")


async def test_eight_deliveries_at_once_apply_the_event_once(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a paid subscription, and a renewal charge Razorpay sends eight times at once
    snapshot = await a_paid_subscription(client, sandbox)
    renewal = payment(id="pay_EightAtOnce00001", amount=10_000, at=snapshot["current_start"])

    async def charged() -> httpx.Response:
        return await deliver(
            client,
            services,
            "evt_eight_at_once",
            "subscription.charged",
            snapshot["created_at"] + 10,
            subscription=snapshot,
            payment=renewal,
        )

    # when they arrive together
    answers = await asyncio.gather(*(charged() for _ in range(8)))

    # then exactly one delivery applied it; each other one was told it is done or in progress
    outcomes = sorted(
        (a.status_code, a.json().get("status") or a.json()["error"]["code"]) for a in answers
    )
    assert outcomes.count((200, "processed")) == 1, outcomes
    assert set(outcomes) <= {(200, "processed"), (200, "duplicate"), (409, "IN_PROGRESS")}
    event = await stored_event("evt_eight_at_once")
    assert (event.status, event.attempts) == (EventStatus.PROCESSED, 1)
    assert await WebhookClaim.find(WebhookClaim.event_id == "evt_eight_at_once").count() == 0
    stored = await Payment.get("pay_EightAtOnce00001")
    assert stored is not None and stored.razorpay_subscription_id == snapshot["id"]

    # and a later redelivery is a duplicate that applies nothing
    again = await charged()
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert (await stored_event("evt_eight_at_once")).attempts == 1


async def test_a_delivery_while_the_event_is_applied_is_a_duplicate_that_applies_nothing(
    services: Services, razorpay: FaultServer, served_with_budget: Served
) -> None:
    # given a Razorpay that holds the invoice the handler fetches, until the test lets it go
    release = threading.Event()
    razorpay.on("GET", INVOICE_PATH, the_invoice(held_until=release))
    body = captured_with_its_invoice_at_razorpay()
    async with served_with_budget(4.0) as (http, service):
        user_id = await a_subscription_of_ours()
        try:
            # when one delivery is applying the event (waiting on the invoice) and another arrives
            first = asyncio.create_task(post_signed(http, service, "evt_held_invoice_1", body))
            await until_razorpay_has_seen(razorpay, INVOICE_PATH)
            second = await post_signed(http, service, "evt_held_invoice_1", body)

            # then the second is told it is stored already, and applies nothing
            assert (second.status_code, second.json()) == (200, {"status": "duplicate"})
            held = await stored_event("evt_held_invoice_1")
            assert (held.status, held.attempts) == (EventStatus.RECEIVED, 1)
        finally:
            release.set()

        # and the first, once Razorpay answers, applies it; a later delivery is a duplicate
        assert (await first).json() == {"status": "processed"}
        third = await post_signed(http, service, "evt_held_invoice_1", body)
        assert third.json() == {"status": "duplicate"}
        assert (await stored_event("evt_held_invoice_1")).attempts == 1
        assert len(razorpay.seen("GET", INVOICE_PATH)) == 1
        recorded = await Payment.get(PAYMENT_ID)
        assert recorded is not None and recorded.user_id == user_id


async def test_a_handler_past_the_budget_is_stored_failed_and_applied_by_a_sweep(
    services: Services, razorpay: FaultServer, served_with_budget: Served
) -> None:
    # given a service with a 0.3 s handler budget, and a Razorpay that holds the invoice the
    # handler fetches (the first time; later it answers at once)
    release = threading.Event()
    razorpay.on("GET", INVOICE_PATH, the_invoice(held_until=release), the_invoice())
    body = captured_with_its_invoice_at_razorpay()
    async with served_with_budget(0.3) as (http, service):
        user_id = await a_subscription_of_ours()
        try:
            # when the event is delivered
            started = time.monotonic()
            acked = await acknowledgement(http, service, "evt_slow_invoice_1", body)
            answered_in = time.monotonic() - started
            first = await applied(service, "evt_slow_invoice_1")

            # then it is acknowledged within Razorpay's 5 s, and applying it, cut off at the
            # budget, leaves it failed and due again
            assert (acked.status_code, acked.json()) == (200, {"status": "received"})
            assert answered_in < 5
            assert first.json()["status"] == "failed"
            failed = await stored_event("evt_slow_invoice_1")
            assert failed.status == EventStatus.FAILED and failed.retry_at is not None
            assert failed.error is not None and "budget" in failed.error
            assert await Payment.get(PAYMENT_ID) is None
            assert not release.is_set()  # Razorpay is still holding the first read

            # when Razorpay delivers it again, it is a duplicate
            again = await post_signed(http, service, "evt_slow_invoice_1", body)
            assert again.json() == {"status": "duplicate"}
        finally:
            release.set()

        # when a sweep applies the failed event again
        await service.applier.sweep(failed_now=True)

        # then it is applied
        settled = await stored_event("evt_slow_invoice_1")
        assert (settled.status, settled.attempts) == (EventStatus.PROCESSED, 2)
        recorded = await Payment.get(PAYMENT_ID)
        assert recorded is not None
        assert (recorded.user_id, recorded.razorpay_subscription_id) == (user_id, SUBSCRIPTION_ID)


async def test_an_event_whose_appliers_died_is_claimed_past_their_claims_and_applied(
    client: httpx.AsyncClient, services: Services
) -> None:
    # given an event whose first delivery died while applying it an hour ago, and whose second
    # died between claiming it and writing the claim on the event
    body = envelope("payment.dispute.created", AT, payment={"id": "pay_x"})
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await WebhookEvent(
        id="evt_dead_appliers",
        event="payment.dispute.created",
        status=EventStatus.RECEIVED,
        body=body.decode(),
        received_at=long_ago,
        claimed_at=long_ago,
    ).insert()
    await WebhookClaim(
        id="evt_dead_appliers:2", event_id="evt_dead_appliers", generation=2, claimed_at=long_ago
    ).insert()

    # when Razorpay delivers it again, and a sweep runs
    response = await post_signed(client, services, "evt_dead_appliers", body)
    await services.applier.sweep()

    # then the delivery is a duplicate; the sweep claims the next generation and applies it
    assert (response.status_code, response.json()) == (200, {"status": "duplicate"})
    event = await until_done("evt_dead_appliers")
    assert (event.status, event.attempts) == (EventStatus.IGNORED, 3)


async def test_a_record_that_never_settles_gives_up_with_not_converged() -> None:
    rounds = 0

    async def keeps_writing() -> Settled[str] | None:
        nonlocal rounds
        rounds += 1
        return None

    async def settles_on_the_third_round() -> Settled[str] | None:
        nonlocal rounds
        rounds += 1
        return Settled("settled") if rounds == 3 else None

    with pytest.raises(NotConverged):
        await until_settled(keeps_writing, what="a record")
    assert rounds == MAX_ROUNDS

    rounds = 0
    assert await until_settled(settles_on_the_third_round, what="a record") == "settled"
    assert rounds == 3


async def test_an_event_whose_record_does_not_settle_is_stored_failed_and_due_again(
    client: httpx.AsyncClient, services: Services
) -> None:
    # given an event whose handler writes a record that never settles
    body = envelope("payment.dispute.created", AT, payment={"id": "pay_x"})
    event = inbox.Envelope(
        event_id="evt_never_settles",
        event="payment.dispute.created",
        created_at=datetime.fromtimestamp(AT, UTC),
        payload=json.loads(body)["payload"],
        body=body.decode(),
    )

    async def never_settles(billing: Billing, envelope: inbox.Envelope) -> inbox.Handled:
        async def one_round() -> Settled[inbox.Handled] | None:
            return None

        return await until_settled(one_round, what="a record")

    # when it is received
    handled = await inbox.receive(
        services.billing, event, never_settles, budget=timedelta(seconds=3)
    )

    # then it is stored as failed, due to be applied again by a sweep
    assert handled.status is inbox.Outcome.NOT_CONVERGED
    failed = await stored_event("evt_never_settles")
    assert failed.status == EventStatus.FAILED and failed.retry_at is not None
    assert failed.error is not None and "did not settle" in failed.error

    # and a sweep applies it again (a redelivery is a duplicate)
    again = await post_signed(client, services, "evt_never_settles", body)
    assert again.json() == {"status": "duplicate"}
    await services.applier.sweep(failed_now=True)
    assert (await until_done("evt_never_settles")).attempts == 2
