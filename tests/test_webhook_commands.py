"""What a delivery costs the database, counted with pymongo's command monitoring.

A burst of deliveries is bound by the database: every delivery is acknowledged after 1 command
(storing it); an event with a handler is then applied and settled in the background in at most
2 more, 3 in all; one with no handler, and a redelivery, costs the 1. A test here fails when a
command is added to either path.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from pymongo import monitoring

from api.app import create_app
from api.documents import WebhookEvent
from api.documents.events import EventStatus
from api.documents.razorpay_plans import RazorpayPlanLink
from api.services import Services
from tests.conftest import TEST_SANDBOX, loopback_listener, make_settings
from tests.serving import serving
from tests.signed_webhooks import acknowledgement, envelope, payment, post_signed

pytestmark = pytest.mark.asyncio(loop_scope="session")

AT = 1_767_225_600
# Commands every delivery's path may run; the driver's own (hello, endSessions) are not counted.
DATA_COMMANDS = {"find", "insert", "update", "delete", "findAndModify", "aggregate", "count"}


class Commands(monitoring.CommandListener):
    """The data commands run while recording; registered once, for every client made after."""

    def __init__(self) -> None:
        self.recording = False
        self.seen: list[str] = []
        self.lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.recording and event.command_name in DATA_COMMANDS and not _background(event):
            with self.lock:
                self.seen.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _background(event: monitoring.CommandStartedEvent) -> bool:
    """Work of the service's own that belongs to no delivery: the applier's periodic sweep (a read
    of the whole inbox, every few seconds) and the sandbox's plan sync after the start."""
    sweep = "$or" in str(event.command.get("filter", ""))
    return sweep or event.command.get(event.command_name) == RazorpayPlanLink.get_collection_name()


COMMANDS = Commands()
monitoring.register(COMMANDS)


@pytest_asyncio.fixture
async def counted(
    mongodb_uri: str, database_name: str, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """A service of its own, whose database client (made after the listener) is counted."""
    listener = loopback_listener()
    port = listener.getsockname()[1]
    app = create_app(
        make_settings(
            mongodb_uri=mongodb_uri,
            mongodb_db=database_name,
            data_dir=tmp_path,
            port=port,
        ),
        sandbox_overrides=TEST_SANDBOX,
    )
    async with serving(app, listener):
        services: Services = app.state.services
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            yield http, services


async def commands_of(
    client: httpx.AsyncClient, services: Services, event_id: str, body: bytes
) -> tuple[httpx.Response, list[str], list[str]]:
    """The answer, the commands run before it, and those run applying the event after it."""
    COMMANDS.seen.clear()
    COMMANDS.recording = True
    try:
        response = await acknowledgement(client, services, event_id, body)
        acked = list(COMMANDS.seen)
        await services.applier.drained()
    finally:
        COMMANDS.recording = False
    return response, acked, COMMANDS.seen[len(acked) :]


def failed_payment_of_a_stranger() -> bytes:
    """`payment.failed` of a customer of no one here: handled (looked up), found not ours."""
    entity = payment(id="pay_CmdStranger001", amount=10_000, at=AT, status="failed")
    return envelope("payment.failed", AT, payment=entity)


async def test_a_handled_event_costs_at_most_three_commands(
    counted: tuple[httpx.AsyncClient, Services],
) -> None:
    client, services = counted
    # given an event the service has a handler for, delivered for the first time
    body = failed_payment_of_a_stranger()

    # when it is delivered
    response, acked, applying = await commands_of(client, services, "evt_cmd_handled", body)

    # then it is acknowledged after storing it (the applier may already be at work before the
    # answer is read), then looked at and settled: at most 3 commands in all
    assert (response.status_code, response.json()) == (200, {"status": "received"})
    commands = acked + applying
    assert commands[0] == "insert" and len(commands) <= 3, commands
    stored = await WebhookEvent.get("evt_cmd_handled")
    assert stored is not None and stored.status is EventStatus.IGNORED


async def test_an_event_with_no_handler_costs_one_command(
    counted: tuple[httpx.AsyncClient, Services],
) -> None:
    client, services = counted
    # given an event no handler of the service's takes
    body = envelope("payment.dispute.created", AT, payment={"id": "pay_CmdDispute001"})

    # when it is delivered
    response, acked, applying = await commands_of(client, services, "evt_cmd_unhandled", body)

    # then storing it, final, is its one command
    assert (response.status_code, response.json()) == (200, {"status": "ignored"})
    assert (acked, applying) == (["insert"], [])
    stored = await WebhookEvent.get("evt_cmd_unhandled")
    assert stored is not None and stored.status is EventStatus.IGNORED


@pytest.mark.parametrize(
    ("event_id", "body"),
    [
        ("evt_cmd_dup_handled", failed_payment_of_a_stranger()),
        (
            "evt_cmd_dup_unhandled",
            envelope("payment.dispute.created", AT, payment={"id": "pay_CmdDispute002"}),
        ),
    ],
)
async def test_a_redelivery_of_an_event_done_costs_one_command(
    counted: tuple[httpx.AsyncClient, Services], event_id: str, body: bytes
) -> None:
    client, services = counted
    # given an event delivered and done
    first = await post_signed(client, services, event_id, body)
    assert first.status_code == 200

    # when Razorpay delivers it again
    response, acked, applying = await commands_of(client, services, event_id, body)

    # then the one command that would have stored it says it is stored already
    assert (response.status_code, response.json()) == (200, {"status": "duplicate"})
    assert (acked, applying) == (["insert"], [])
