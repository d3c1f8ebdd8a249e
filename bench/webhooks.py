"""Webhook ingestion: bursts of distinct signed events at 200 connections, at the service and at
the verify-and-insert baseline (bench/baseline.py), in alternating rounds. The events are
`payment.failed` of customers nobody here has: stored and acknowledged (`received`), then applied
in the background (they end `ignored`). After each of the service's bursts the bench also waits
until it has applied every event it acknowledged (its `billing_webhooks_applied` counter): that
drain, from the last acknowledgement to an empty backlog, is reported beside the acknowledgement
figures, and so are the events/s over burst + drain, so that nothing applying costs is hidden.

Target: at least 50% of the baseline's events/s, with an acknowledgement p99 at most 2x its p99.
"""

from __future__ import annotations

import os
import statistics
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from bench import load, rounds
from bench.deliveries import WEBHOOK_PATH, envelope, signed_headers
from bench.environment import database, record
from bench.guards import scratch
from bench.servers import METRICS_TOKEN, WEBHOOK_SECRET, Server, baseline, service

CONNECTIONS = 200
EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "2000"))  # per round and side
ROUNDS = 2  # per side: A B B A
DEADLINE_S = 120.0  # a round that has not finished by then is measured as far as it got
DRAIN_DEADLINE_S = 300.0
DRAIN_POLL_S = 0.2
APPLIED_METRIC = "billing_webhooks_applied_total{"
MIN_THROUGHPUT_RATIO = 0.5
MAX_P99_RATIO = 2.0


def signed(count: int) -> list[load.Request]:
    now = int(time.time())
    requests = []
    for _ in range(count):
        event_id = f"evt_{uuid.uuid4().hex[:14]}"
        body = envelope(event_id, now)
        headers = signed_headers(WEBHOOK_SECRET.encode(), event_id, body)
        requests.append(load.Request("POST", WEBHOOK_PATH, headers, body.decode()))
    return requests


def burst(binary: Path, tmp: Path, server: Server) -> load.Load:
    requests = load.write_requests(tmp / f"events-{uuid.uuid4().hex}.jsonl", signed(EVENTS))
    return load.run(binary, server.url, requests, conns=CONNECTIONS, once=True, deadline=DEADLINE_S)


def applied(server: Server) -> int:
    """How many events the service has applied since it started (`billing_webhooks_applied`):
    read from /metrics, which costs the service no database work."""
    asked = urllib.request.Request(  # noqa: S310 (our own server, on loopback)
        f"{server.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    with urllib.request.urlopen(asked, timeout=10) as answer:  # noqa: S310
        text = answer.read().decode()
    lines = (line for line in text.splitlines() if line.startswith(APPLIED_METRIC))
    return int(sum(float(line.rsplit(" ", 1)[1]) for line in lines))


def drained(server: Server, until: int) -> float:
    """Seconds until the service has applied `until` events in all (the bench's round ended at
    its last acknowledgement); the deadline if it never gets there."""
    started = time.perf_counter()
    deadline = started + DRAIN_DEADLINE_S
    while applied(server) < until and time.perf_counter() < deadline:
        time.sleep(DRAIN_POLL_S)  # polling a counter of a process this bench does not drive
    return round(time.perf_counter() - started, 2)


def burst_and_drain(binary: Path, tmp: Path, server: Server, drains: list[float]) -> load.Load:
    """A burst at the service, then its drain (appended to `drains`), before the next round."""
    before = applied(server)
    seen = burst(binary, tmp, server)
    drains.append(drained(server, before + seen.statuses.get("200", 0)))
    return seen


async def measure(tmp: Path) -> dict[str, Any]:
    binary = load.build(tmp)
    drains: list[float] = []
    with (
        database(tmp) as (uri, name),
        service(uri, name, tmp) as project,
        baseline(uri, name, tmp) as bare,
    ):
        seen = rounds.alternate(
            {
                "project": lambda: burst_and_drain(binary, tmp, project, drains),
                "baseline": lambda: burst(binary, tmp, bare),
            },
            ROUNDS,
        )
    result = rounds.compared(seen["project"], seen["baseline"])
    result["events_per_round"] = EVENTS
    result["drain_seconds"] = drains
    result["applied_per_second"] = _applied_per_second(seen["project"], drains)
    result["connections"] = CONNECTIONS
    result["meets_target"] = (
        result["throughput_ratio"] >= MIN_THROUGHPUT_RATIO and result["p99_ratio"] <= MAX_P99_RATIO
    )
    return result


def _applied_per_second(bursts: list[load.Load], drains: list[float]) -> float:
    """The median over rounds of events acknowledged per second of burst + drain."""
    pairs = zip(bursts, drains, strict=True)
    rates = [seen.statuses.get("200", 0) / (seen.seconds + drain) for seen, drain in pairs]
    return round(statistics.median(rates), 1) if rates else 0.0


def report(result: dict[str, Any]) -> None:
    ours, theirs = result["project"], result["baseline"]
    statuses = [r["statuses"] for r in ours["rounds"]]
    print(
        f"  webhooks, {CONNECTIONS} connections, {EVENTS} events a round: "
        f"{ours['ok_per_second']} events/s vs baseline {theirs['ok_per_second']} = "
        f"{result['throughput_ratio']:.2f} (target >= {MIN_THROUGHPUT_RATIO}); ack p99 "
        f"{ours['p99_ms']} ms vs {theirs['p99_ms']} ms = {result['p99_ratio']:.2f}x (target <= "
        f"{MAX_P99_RATIO}x); the service's answers: {statuses}; drain after the last ack "
        f"{result['drain_seconds']} s, so {result['applied_per_second']} events/s applied"
    )


async def main() -> int:
    with scratch() as tmp:
        result = await measure(tmp)
    path = record("webhooks", result)
    report(result)
    met = result["meets_target"]
    print(f"webhooks: {'target met' if met else 'TARGET MISSED'}; recorded in {path}")
    return 0 if met else 1
