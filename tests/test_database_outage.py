"""The database stops: requests that need it fail fast with 503 SERVICE_UNAVAILABLE, readiness
says so without naming the database, and once it is back everything works without a restart."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from api.app import create_app
from api.localdb import LocalDatabase
from tests.builders import TEST_JWT_SECRET, graphql, token
from tests.conftest import loopback_listener, make_settings
from tests.serving import serving

pytestmark = pytest.mark.asyncio(loop_scope="session")

WEBHOOK_SECRET = "outage-webhook-secret"
LIVENESS_BOUND_S = 10.0  # generous: the setting is 1 s, pymongo's default would be 30 s
VIEWER = "{ viewer { email } }"


@dataclass(frozen=True)
class OwnDatabaseApp:
    http: httpx.AsyncClient
    database: LocalDatabase
    uri: str


@asynccontextmanager
async def app_on_own_database(tmp_path: Path) -> AsyncIterator[OwnDatabaseApp]:
    """A prod-mode app, with a 1 s database timeout, on a database the test can stop and start
    again on the same port and data dir."""
    with loopback_listener() as spare:  # a free port for the database, known before it starts
        db_port = spare.getsockname()[1]
    database = LocalDatabase(tmp_path / "db", listen=f"127.0.0.1:{db_port}")
    uri = database.start()
    settings = make_settings(
        app_env="prod",
        mongodb_uri=uri,
        data_dir=tmp_path / "var",
        database_timeout_seconds=1.0,
        razorpay_key_id="rzp_test_outage",
        razorpay_key_secret="outage-key-secret",
        razorpay_webhook_secret=WEBHOOK_SECRET,
        razorpay_base_url="http://127.0.0.1:9",  # never called: no event here needs Razorpay
    )
    try:
        with loopback_listener() as listener:
            base = f"http://127.0.0.1:{listener.getsockname()[1]}"
            async with (
                serving(create_app(settings), listener),
                httpx.AsyncClient(base_url=base, timeout=60) as http,
            ):
                yield OwnDatabaseApp(http, database, uri)
    finally:
        database.stop()


async def timed(call: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def post_webhook(
    http: httpx.AsyncClient, event_id: str, *, event: str = "order.paid", payload: object = None
) -> httpx.Response:
    body = json.dumps(
        {"entity": "event", "event": event, "payload": payload or {}, "created_at": 1_767_225_600}
    ).encode()
    signature = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return await http.post(
        "/webhooks/razorpay",
        content=body,
        headers={"X-Razorpay-Signature": signature, "X-Razorpay-Event-Id": event_id},
    )


def stored_events(uri: str, event_id: str) -> list[dict[str, object]]:
    client: MongoClient[dict[str, object]] = MongoClient(uri)
    try:
        return list(client["billing"]["webhook_events"].find({"_id": event_id}))
    finally:
        client.close()


async def test_graphql_and_readiness_fail_fast_with_503_and_recover_without_a_restart(
    tmp_path: Path,
) -> None:
    bearer = token(sub="outage-user", email="outage@example.com", secret=TEST_JWT_SECRET)
    async with app_on_own_database(tmp_path) as app:
        assert (await graphql(app.http, VIEWER, bearer=bearer)).status_code == 200

        # when the database stops
        app.database.stop()
        viewer, viewer_took = await timed(graphql(app.http, VIEWER, bearer=bearer))
        anonymous, anonymous_took = await timed(graphql(app.http, "{ plans { code } }"))
        ready, _ = await timed(app.http.get("/readyz"))

        # then each request that needs it says so, fast, with 503
        assert viewer.status_code == 503
        assert [e["extensions"]["code"] for e in viewer.json()["errors"]] == ["SERVICE_UNAVAILABLE"]
        assert viewer_took < LIVENESS_BOUND_S
        assert anonymous.status_code == 503
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert anonymous_took < LIVENESS_BOUND_S
        # and readiness names states, never the database's address (prod)
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "unavailable",
            "database": "unavailable",
            "razorpay": "closed",
            "webhookBacklog": 0,
        }
        assert "127.0.0.1" not in ready.text

        # when it is started again (same port, same data), with no restart of the service
        app.database.start()
        again = await graphql(app.http, VIEWER, bearer=bearer)
        ready_again = await app.http.get("/readyz")

    # then both work
    assert again.status_code == 200
    assert again.json() == {"data": {"viewer": {"email": "outage@example.com"}}}
    assert ready_again.status_code == 200
    assert ready_again.json() == {
        "status": "ok",
        "database": "ok",
        "razorpay": "closed",
        "webhookBacklog": 0,
    }


async def test_a_webhook_during_an_outage_gets_503_and_is_stored_once_when_redelivered(
    tmp_path: Path,
) -> None:
    async with app_on_own_database(tmp_path) as app:
        # when Razorpay delivers an event while the database is down
        app.database.stop()
        refused, took = await timed(post_webhook(app.http, "evt_outage000001"))

        # then it is asked for again, fast, and nothing of it is stored
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert took < LIVENESS_BOUND_S
        app.database.start()
        assert stored_events(app.uri, "evt_outage000001") == []

        # when Razorpay delivers it again, twice, once the database is back
        redelivered = await post_webhook(app.http, "evt_outage000001")
        duplicate = await post_webhook(app.http, "evt_outage000001")

        # then it is stored once
        assert redelivered.status_code == 200
        assert duplicate.json() == {"status": "duplicate"}
        assert [e["status"] for e in stored_events(app.uri, "evt_outage000001")] == ["ignored"]


async def test_an_event_to_apply_during_an_outage_is_not_acknowledged_nor_queued(
    tmp_path: Path,
) -> None:
    async with app_on_own_database(tmp_path) as app:
        # when Razorpay delivers an event the service applies, while the database is down
        app.database.stop()
        failed = {"id": "pay_Outage0000001", "status": "failed", "amount": 100, "currency": "INR"}
        refused = await post_webhook(
            app.http, "evt_outage000002", event="payment.failed", payload=failed_payment(failed)
        )

        # then it is refused, so Razorpay delivers it again: nothing stored, nothing queued
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        app.database.start()
        assert stored_events(app.uri, "evt_outage000002") == []
        ready = await app.http.get("/readyz")
        assert (ready.status_code, ready.json()["webhookBacklog"]) == (200, 0)


def failed_payment(entity: dict[str, object]) -> dict[str, object]:
    return {"payment": {"entity": entity}}
