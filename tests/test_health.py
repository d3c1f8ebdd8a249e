from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.localdb import LocalDatabase
from tests.conftest import make_settings
from tests.serving import in_process

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_healthz_answers_while_the_process_is_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_says_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_readyz_says_unavailable_when_the_database_stops(tmp_path: Path) -> None:
    # given an app on a database of its own
    database = LocalDatabase(tmp_path / "db")
    uri = database.start()
    app = create_app(
        make_settings(
            mongodb_uri=uri,
            data_dir=tmp_path / "var",
            razorpay_key_id="rzp_test_x",
            razorpay_key_secret="s",
            razorpay_webhook_secret="w",
        )
    )
    async with in_process(app) as http:
        assert (await http.get("/readyz")).status_code == 200
        # when the database goes away
        database.stop()
        response = await http.get("/readyz")

    # then readiness fails, with a reason (in dev), while liveness would still answer
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "unavailable"
    assert response.json()["reason"]


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    echoed = await client.get("/healthz", headers={"X-Request-Id": "abc-123"})

    assert len(generated.headers["x-request-id"]) == 32
    assert echoed.headers["x-request-id"] == "abc-123"


async def test_an_oversized_body_is_refused(client: httpx.AsyncClient) -> None:
    body = b'{"query": "' + b"x" * 2_000_000 + b'"}'

    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
