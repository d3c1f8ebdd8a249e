"""`WEB_CONCURRENCY=2 python -m api serve`: two worker processes answer, over one embedded
database and one Razorpay sandbox, and a customer can buy Pro through them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from tests.billing_calls import confirm, plan_of, start_upgrade
from tests.builders import TEST_JWT_SECRET
from tests.sandbox_driver import SandboxDriver
from tests.test_metrics import scrape, total

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROOT = Path(__file__).resolve().parent.parent
READY_WITHIN_S = 90.0  # a generous bound: the database and two workers start on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """The service started as a developer would, with WEB_CONCURRENCY=2; its URL, DATA_DIR and
    log. With MONGODB_URI set (the suite's server mode) it uses a database of its own there."""
    port, data_dir, log = free_port(), tmp_path / "var", tmp_path / "serve.log"
    database = f"billing_workers_{uuid.uuid4().hex[:12]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RAZORPAY_")},
        "WEB_CONCURRENCY": "2",
        "PORT": str(port),
        "DATA_DIR": str(data_dir),
        "MONGODB_DB": database,
        "JWT_SECRET": TEST_JWT_SECRET,
        "LOG_LEVEL": "info",
        "PYTHONPATH": str(ROOT),
    }
    with log.open("wb") as out:
        serving = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", data_dir, log
    finally:
        serving.send_signal(signal.SIGINT)
        try:
            serving.wait(30)
        except subprocess.TimeoutExpired:
            serving.kill()
            serving.wait()
        if os.environ.get("MONGODB_URI"):
            client: MongoClient[dict[str, object]]
            with MongoClient(os.environ["MONGODB_URI"]) as client:
                client.drop_database(database)


async def ready(client: httpx.AsyncClient, log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)  # polling for readiness, not ordering anything
    pytest.fail(f"not ready within {READY_WITHIN_S:.0f} s:\n{tail(log)}")


def tail(log: Path) -> str:
    return log.read_text()[-3000:]


def logged(log: Path, event: str) -> list[dict[str, object]]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == event:
                lines.append(entry)
    return lines


async def test_two_workers_serve_and_sell_pro_through_one_sandbox(
    two_workers: tuple[str, Path, Path],
) -> None:
    url, data_dir, log = two_workers
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        # given the service started with WEB_CONCURRENCY=2
        await ready(client, log)

        # when a free user upgrades, pays in the sandbox's Checkout and comes back
        sandbox = SandboxDriver.for_data_dir(client, data_dir)
        checkout = await start_upgrade(client)
        assert checkout["__typename"] == "CheckoutDetails", checkout
        confirmed = await confirm(client, await sandbox.pay(checkout["subscriptionId"]))
        await sandbox.drain()

        # then they are Pro, whichever worker answers
        assert (confirmed["__typename"], confirmed["status"]) == ("Subscription", "ACTIVE")
        assert [await plan_of(client) for _ in range(4)] == ["PRO"] * 4

    # and two processes answered requests, each connection taken by one of them
    for _ in range(100):
        async with httpx.AsyncClient(base_url=url, timeout=30) as fresh:
            assert (await fresh.get("/healthz")).status_code == 200
        if len({entry["pid"] for entry in logged(log, "request")}) >= 2:
            break
    assert len({entry["pid"] for entry in logged(log, "request")}) == 2
    # and the one sandbox delivered each webhook event once
    delivered = Counter(str(entry["event_id"]) for entry in logged(log, "webhook"))
    assert delivered, "no webhook reached the workers"
    assert set(delivered.values()) == {1}, delivered
    # and every line logged while a webhook was handled names its event, bound for the handling
    assert all(entry.get("event_id") and entry.get("event") for entry in logged(log, "webhook"))


async def test_one_scrape_counts_what_both_workers_did(
    two_workers: tuple[str, Path, Path],
) -> None:
    url, data_dir, log = two_workers
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        # given the service started with WEB_CONCURRENCY=2, and a user who bought Pro
        await ready(client, log)
        sandbox = SandboxDriver.for_data_dir(client, data_dir)
        checkout = await start_upgrade(client)
        await confirm(client, await sandbox.pay(checkout["subscriptionId"]))
        await sandbox.drain()
    operations = 2

    # when GraphQL operations arrive on fresh connections until both workers have answered some
    for _ in range(100):
        async with httpx.AsyncClient(base_url=url, timeout=30) as fresh:
            assert await plan_of(fresh) == "PRO"
        operations += 1
        graphql = [entry for entry in logged(log, "request") if entry["path"] == "/graphql"]
        if len({entry["pid"] for entry in graphql}) >= 2:
            break

    # then every scrape, whichever worker takes it, counts all of them and the one payment
    for _ in range(6):
        async with httpx.AsyncClient(base_url=url, timeout=30) as fresh:
            samples = await scrape(fresh)
        assert total(samples, "billing_graphql_operations_total") == operations
        assert total(samples, "billing_payments_total", status="captured") == 1
        assert total(samples, "billing_access_changes_total", change="granted") == 1
    graphql = [entry for entry in logged(log, "request") if entry["path"] == "/graphql"]
    assert len({entry["pid"] for entry in graphql}) == 2
    # and the workers kept their values in a private folder under DATA_DIR
    assert (data_dir / "metrics").stat().st_mode & 0o777 == 0o700
    assert any((data_dir / "metrics").glob("counter_*.db"))
