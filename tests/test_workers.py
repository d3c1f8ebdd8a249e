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
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from pymongo import MongoClient

from tests.billing_calls import UPGRADE, VIEWER_ID, call, confirm, plan_of, start_upgrade
from tests.builders import TEST_JWT_SECRET, graphql
from tests.sandbox_driver import SandboxDriver
from tests.test_metrics import scrape, total
from tests.test_rate_limits import bearer, outcome

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROOT = Path(__file__).resolve().parent.parent
READY_WITHIN_S = 90.0  # a generous bound: the database and two workers start on a busy machine
LOGGED_WITHIN_S = 10.0  # lines are written by a thread of each worker, a moment after the answer
WINDOWS_WITHIN_S = 30.0  # three 3.6 s windows, run on a busy machine: liveness, not speed
BALANCE_ATTEMPTS = 15  # users tried until both workers answered some of one user's upgrades


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Served(NamedTuple):
    url: str
    data_dir: Path
    log: Path
    database: str


@contextmanager
def serving(tmp: Path, **settings: str) -> Iterator[Served]:
    """The service started as a developer would, with WEB_CONCURRENCY=2 and these settings.
    With MONGODB_URI set (the suite's server mode) it uses a database of its own there."""
    port, data_dir, log = free_port(), tmp / "var", tmp / "serve.log"
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
        **settings,
    }
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Served(f"http://127.0.0.1:{port}", data_dir, log, database)
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        if os.environ.get("MONGODB_URI"):
            client: MongoClient[dict[str, object]]
            with MongoClient(os.environ["MONGODB_URI"]) as client:
                client.drop_database(database)


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path) as served:
        yield served


@pytest.fixture(scope="module")
def busy_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Two workers with 3 upgrades an hour per user and reconciliation windows of 3.6 s,
    the first looked for half a second after start."""
    with serving(
        tmp_path_factory.mktemp("busy"),
        RATE_LIMIT_UPGRADE="3/1h",
        RECONCILE_INTERVAL_HOURS="0.001",
        RECONCILE_FIRST_LOOK_SECONDS="0.5",
    ) as served:
        yield served


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


async def buys_pro(client: httpx.AsyncClient, data_dir: Path) -> dict[str, Any]:
    """The client's user upgrades, pays in the sandbox's Checkout and comes back; every webhook
    the payment caused is delivered. Returns the confirmed subscription."""
    sandbox = SandboxDriver.for_data_dir(client, data_dir)
    checkout = await start_upgrade(client)
    assert checkout["__typename"] == "CheckoutDetails", checkout
    confirmed = await confirm(client, await sandbox.pay(checkout["subscriptionId"]))
    await sandbox.drain()
    return confirmed


async def test_two_workers_serve_and_sell_pro_through_one_sandbox(
    two_workers: Served,
) -> None:
    url, data_dir, log, _ = two_workers
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        # given the service started with WEB_CONCURRENCY=2
        await ready(client, log)

        # when a free user upgrades, pays in the sandbox's Checkout and comes back
        confirmed = await buys_pro(client, data_dir)

        # then they are Pro, whichever worker answers
        assert (confirmed["__typename"], confirmed["status"]) == ("Subscription", "ACTIVE")
        assert [await plan_of(client) for _ in range(4)] == ["pro"] * 4

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
    two_workers: Served,
) -> None:
    url, data_dir, log, _ = two_workers
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        # given the service started with WEB_CONCURRENCY=2, and a user who bought Pro
        await ready(client, log)
        await buys_pro(client, data_dir)
    operations = 2

    # when GraphQL operations arrive on fresh connections until both workers have answered some
    for _ in range(100):
        async with httpx.AsyncClient(base_url=url, timeout=30) as fresh:
            assert await plan_of(fresh) == "pro"
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


async def upgrade_on_a_fresh_connection(url: str, subject: str) -> tuple[str, str]:
    """The user clicks upgrade again (the same click's key); its outcome and request id."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as fresh:
        response = await graphql(
            fresh, UPGRADE, variables={"key": f"upgrade-{subject}"}, bearer=bearer(subject)
        )
    assert response.status_code == 200, response.text
    return outcome(response.json()), response.headers["x-request-id"]


async def pids_that_answered(log: Path, request_ids: list[str]) -> list[object]:
    deadline = time.monotonic() + LOGGED_WITHIN_S
    while True:
        answered = {entry.get("request_id"): entry["pid"] for entry in logged(log, "request")}
        if all(request_id in answered for request_id in request_ids):
            return [answered[request_id] for request_id in request_ids]
        if time.monotonic() > deadline:
            pytest.fail(f"requests {request_ids} not logged:\n{tail(log)}")
        await asyncio.sleep(0.1)  # polling the log, not ordering anything


async def test_both_workers_spend_one_rate_limit_budget(busy_workers: Served) -> None:
    url, data_dir, log, _ = busy_workers
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        # given two workers and a budget of 3 upgrades an hour per user
        await ready(client, log)
        pids: list[object] = []
        for attempt in range(BALANCE_ATTEMPTS):
            # when a user upgrades 4 times, each on a fresh connection (the kernel picks the
            # worker: another user tries until both workers answered some of one user's)
            subject = f"balanced-{attempt}"
            answers = [await upgrade_on_a_fresh_connection(url, subject) for _ in range(4)]
            pids = await pids_that_answered(log, [request_id for _, request_id in answers])

            # then 3 are answered and the 4th is limited, whichever worker each reached
            assert [answer for answer, _ in answers] == ["CheckoutDetails"] * 3 + ["RATE_LIMITED"]
            if len(set(pids)) == 2:
                break
        assert len(set(pids)) == 2, f"one worker answered every attempt: {pids}"

        # and Razorpay holds one subscription for the user, made by the first upgrade
        user_id = (await call(client, VIEWER_ID, user=subject))["viewer"]["id"]
        sandbox = SandboxDriver.for_data_dir(client, data_dir)
        assert len(await sandbox.subscriptions(notes_user_id=user_id)) == 1


def reconciliation_runs(served: Served) -> list[dict[str, object]]:
    """The runs in the service's database: MONGODB_URI's, or the embedded one `serve` publishes."""
    uri = os.environ.get("MONGODB_URI") or (served.data_dir / "db" / "uri").read_text().strip()
    client: MongoClient[dict[str, object]]
    with MongoClient(uri) as client:
        return list(client[served.database]["reconciliation_runs"].find())


async def until_windows_reconciled(served: Served, *, at_least: int) -> list[dict[str, object]]:
    """The runs, once `at_least` have finished and each finished one is logged `reconciled`."""
    deadline = time.monotonic() + WINDOWS_WITHIN_S
    while time.monotonic() < deadline:
        runs = reconciliation_runs(served)
        finished = {run["_id"] for run in runs if run.get("finished_at")}
        logged_runs = {entry["run_id"] for entry in logged(served.log, "reconciled")}
        if len(finished) >= at_least and finished <= logged_runs:
            return runs
        await asyncio.sleep(0.5)  # polling the database and the log, not ordering anything
    pytest.fail(
        f"{at_least} windows not reconciled within {WINDOWS_WITHIN_S:.0f} s:\n{tail(served.log)}"
    )


async def test_each_reconciliation_window_is_run_by_one_worker(busy_workers: Served) -> None:
    url, _, log, _ = busy_workers
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        # given two workers, each looking for a 3.6 s reconciliation window to run
        await ready(client, log)

        # when a few windows have passed
        runs = await until_windows_reconciled(busy_workers, at_least=3)

    # then each window was claimed once, and run and logged by one worker only
    windows = Counter(str(run["_id"]) for run in runs)
    assert set(windows.values()) == {1}, windows
    assert all(window.startswith("reconcile:") for window in windows)
    reconciled = Counter(str(entry["run_id"]) for entry in logged(log, "reconciled"))
    assert set(reconciled.values()) == {1}, reconciled
    assert set(reconciled) <= set(windows)
    assert not logged(log, "reconcile_failed"), tail(log)
    # and the two workers are alive: each answers on fresh connections, and no third appeared
    for _ in range(100):
        async with httpx.AsyncClient(base_url=url, timeout=30) as fresh:
            assert (await fresh.get("/healthz")).status_code == 200
        if len({entry["pid"] for entry in logged(log, "request")}) >= 2:
            break
    assert len({entry["pid"] for entry in logged(log, "request")}) == 2
