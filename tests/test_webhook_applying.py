"""Applying acknowledged webhook events in the background: an event is answered once it is stored,
a backlog of them does not make the service unready, and an event acknowledged by a process that
died before applying it is applied, once, by another process once its claim lapses."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.clock import MovableClock
from api.documents import WebhookEvent
from api.documents.events import EventStatus, WebhookClaim
from api.services import Services
from tests.conftest import make_settings
from tests.serving import in_process
from tests.signed_webhooks import acknowledgement, applied, envelope, payment

pytestmark = pytest.mark.asyncio(loop_scope="session")

AT = 1_767_225_600
BACKLOG_METRIC = "billing_webhook_backlog "


def failed_payment_of_a_stranger(n: int) -> bytes:
    """`payment.failed` of a customer of no one here: applied, it ends `ignored`."""
    entity = payment(id=f"pay_Applying{n:06d}", amount=10_000, at=AT, status="failed")
    return envelope("payment.failed", AT, payment=entity)


async def acknowledge(
    http: httpx.AsyncClient, services: Services, event_ids: list[str]
) -> list[tuple[int, object]]:
    answers = []
    for n, event_id in enumerate(event_ids):
        answer = await acknowledgement(http, services, event_id, failed_payment_of_a_stranger(n))
        answers.append((answer.status_code, answer.json()))
    return answers


@asynccontextmanager
async def instance(
    mongodb_uri: str, database: str, data_dir: Path, clock: MovableClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """One process of the service on a database of its own (no other process's sweep reaches
    it), with keys that never reach Razorpay: nothing here needs it."""
    settings = make_settings(
        mongodb_uri=mongodb_uri,
        mongodb_db=database,
        data_dir=data_dir,
        razorpay_key_id="rzp_test_applying",
        razorpay_key_secret="applying-key-secret",
        razorpay_webhook_secret="applying-webhook-secret",
        razorpay_base_url="http://127.0.0.1:9",
    )
    app = create_app(settings, clock=clock)
    async with in_process(app) as http:
        yield http, app.state.services


async def test_readiness_holds_with_a_backlog_and_reports_it(
    client: httpx.AsyncClient, services: Services
) -> None:
    event_ids = [f"evt_backlog{n:06d}" for n in range(3)]
    with services.applier.held():
        # given three events acknowledged while applying is held
        answers = await acknowledge(client, services, event_ids)
        assert answers == [(200, {"status": "received"})] * 3

        # when readiness and the metrics are asked
        ready = await client.get("/readyz")
        metrics = (await client.get("/metrics")).text

        # then the service is ready, and both report the backlog
        assert (ready.status_code, ready.json()["webhookBacklog"]) == (200, 3)
        assert f"{BACKLOG_METRIC}3.0" in metrics

    # and once applying resumes, each is applied and the backlog is gone
    assert [(await applied(services, e)).json() for e in event_ids] == [{"status": "ignored"}] * 3
    assert (await client.get("/readyz")).json()["webhookBacklog"] == 0
    assert f"{BACKLOG_METRIC}0.0" in (await client.get("/metrics")).text


async def test_events_a_process_acknowledged_and_never_applied_are_applied_once_elsewhere(
    mongodb_uri: str, tmp_path: Path
) -> None:
    database = f"billing_test_{uuid.uuid4().hex[:12]}"
    event_ids = [f"evt_orphaned{n:05d}" for n in range(5)]
    clock = MovableClock()
    # given a process that acknowledged five events and stopped before applying any (held
    # until after it stopped, as if it had died)
    with contextlib.ExitStack() as holding:
        async with instance(mongodb_uri, database, tmp_path / "one", clock) as (http, first):
            holding.enter_context(first.applier.held())
            answers = await acknowledge(http, first, event_ids)
    assert answers == [(200, {"status": "received"})] * 5

    async with instance(mongodb_uri, database, tmp_path / "two", clock) as (_, second):
        # when another process sweeps while their claims hold
        await second.applier.sweep()

        # then it leaves them alone: their claim is the first process's still
        stored = await WebhookEvent.find({"_id": {"$in": event_ids}}).to_list()
        assert {(e.status, e.attempts) for e in stored} == {(EventStatus.RECEIVED, 1)}

        # when the claims lapse, and it sweeps
        clock.advance(second.applier.lease + timedelta(seconds=1))
        await second.applier.sweep()

        # then each is applied exactly once, under one new claim, and a later sweep finds nothing
        assert [(await applied(second, e)).json() for e in event_ids] == [{"status": "ignored"}] * 5
        stored = await WebhookEvent.find({"_id": {"$in": event_ids}}).to_list()
        assert {(e.status, e.attempts) for e in stored} == {(EventStatus.IGNORED, 2)}
        claims = await WebhookClaim.find({"event_id": {"$in": event_ids}}).to_list()
        assert sorted(c.id for c in claims) == sorted(f"{e}:2" for e in event_ids)
        assert await second.applier.sweep() == 0
