"""Webhook ingestion: bursts of distinct signed events at 200 connections, at the service and at
the verify-and-insert baseline (bench/baseline.py), in alternating rounds. The events are
`payment.failed` of customers nobody here has: stored, and acknowledged as ignored.

Target: at least 50% of the baseline's events/s, with an acknowledgement p99 at most 2x its p99.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

from bench import load, rounds
from bench.deliveries import WEBHOOK_PATH, envelope, signed_headers
from bench.environment import database, record
from bench.guards import scratch
from bench.servers import WEBHOOK_SECRET, Server, baseline, service

CONNECTIONS = 200
EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "2000"))  # per round and side
ROUNDS = 2  # per side: A B B A
DEADLINE_S = 120.0  # a round that has not finished by then is measured as far as it got
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


async def measure(tmp: Path) -> dict[str, Any]:
    binary = load.build(tmp)
    with (
        database(tmp) as (uri, name),
        service(uri, name, tmp) as project,
        baseline(uri, name, tmp) as bare,
    ):
        seen = rounds.alternate(
            {
                "project": lambda: burst(binary, tmp, project),
                "baseline": lambda: burst(binary, tmp, bare),
            },
            ROUNDS,
        )
    result = rounds.compared(seen["project"], seen["baseline"])
    result["events_per_round"] = EVENTS
    result["connections"] = CONNECTIONS
    result["meets_target"] = (
        result["throughput_ratio"] >= MIN_THROUGHPUT_RATIO and result["p99_ratio"] <= MAX_P99_RATIO
    )
    return result


def report(result: dict[str, Any]) -> None:
    ours, theirs = result["project"], result["baseline"]
    statuses = [r["statuses"] for r in ours["rounds"]]
    print(
        f"  webhooks, {CONNECTIONS} connections, {EVENTS} events a round: "
        f"{ours['ok_per_second']} events/s vs baseline {theirs['ok_per_second']} = "
        f"{result['throughput_ratio']:.2f} (target >= {MIN_THROUGHPUT_RATIO}); ack p99 "
        f"{ours['p99_ms']} ms vs {theirs['p99_ms']} ms = {result['p99_ratio']:.2f}x (target <= "
        f"{MAX_P99_RATIO}x); the service's answers: {statuses}"
    )


async def main() -> int:
    with scratch() as tmp:
        result = await measure(tmp)
    path = record("webhooks", result)
    report(result)
    met = result["meets_target"]
    print(f"webhooks: {'target met' if met else 'TARGET MISSED'}; recorded in {path}")
    return 0 if met else 1
