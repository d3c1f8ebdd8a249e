"""A burst of webhook deliveries, as Razorpay sends on a renewal day or after an outage, at the
running app: every delivery is answered, every event is stored once, and the service stays ready.

The embedded database used to answer such a burst with SQLITE_BUSY (500s) and then stop answering
at all (see `localdb/gate.go`). The burst is `bench/webhook_burst.py`'s, smaller: the benchmark
sends 10,000 events.
"""

from __future__ import annotations

import httpx
import pytest

from api.documents import WebhookEvent
from api.documents.events import EventStatus
from api.services import Services
from api.settings import Settings
from bench.webhook_burst import burst
from tests.signed_webhooks import settled

pytestmark = pytest.mark.asyncio(loop_scope="session")

CONCURRENCY = 200
EVENTS = 600


async def test_a_burst_of_deliveries_is_answered_stored_once_and_leaves_the_service_ready(
    settings: Settings, services: Services, client: httpx.AsyncClient
) -> None:
    # given the running service and its webhook secret
    assert services.webhook_secret is not None

    # when 600 distinct signed events arrive over 200 connections at once
    delivered = await burst(
        f"http://127.0.0.1:{settings.port}",
        services.webhook_secret,
        events=EVENTS,
        concurrency=CONCURRENCY,
        request_timeout=120,  # liveness bounds: a wedged database never answers
        deadline=300,
    )

    # then each delivery was acknowledged, and readiness held throughout and after
    assert dict(delivered.statuses) == {"200": EVENTS}
    assert set(delivered.readiness) == {"200"}
    assert (await client.get("/readyz")).status_code == 200
    # and each event is stored once
    stored = await WebhookEvent.find({"_id": {"$in": delivered.ids}}).to_list()
    assert sorted(event.id for event in stored) == sorted(delivered.ids)
    # and once the service has applied them, each was applied, and no backlog is left
    await settled(services)
    stored = await WebhookEvent.find({"_id": {"$in": delivered.ids}}).to_list()
    assert sorted(event.id for event in stored) == sorted(delivered.ids)
    assert {event.status for event in stored} == {EventStatus.IGNORED}
    assert (await client.get("/readyz")).json()["webhookBacklog"] == 0
