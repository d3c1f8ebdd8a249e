"""Workers: `canUse` at 32 connections against the service with WEB_CONCURRENCY=1 and =2, side
by side on one database, in alternating rounds; and how many worker processes answered (the
`pid` of the JSON request logs). Recorded, with no target: on a machine of two cores the load
generator and the database take their share of them too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import load, rounds
from bench.environment import database, record
from bench.guards import scratch
from bench.population import can_use_requests, seed_users
from bench.servers import Server, service

CONNECTIONS = 32
ROUNDS = 2  # per side: A B B A
SECONDS = 5.0


def answering_pids(server: Server) -> int:
    pids = set()
    for line in server.log.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == "request":
                pids.add(entry.get("pid"))
    return len(pids)


async def measure(tmp: Path) -> dict[str, Any]:
    binary = load.build(tmp)
    with database(tmp) as (uri, name):
        subjects = await seed_users(uri, name)
        requests = load.write_requests(tmp / "canuse.jsonl", can_use_requests(subjects))
        with service(uri, name, tmp) as one, service(uri, name, tmp, workers=2) as two:

            def side(server: Server) -> load.Load:
                return load.run(binary, server.url, requests, conns=CONNECTIONS, seconds=SECONDS)

            for server in (one, two):
                load.run(binary, server.url, requests, conns=CONNECTIONS, seconds=2.0)
            seen = rounds.alternate({"two": lambda: side(two), "one": lambda: side(one)}, ROUNDS)
            pids = answering_pids(two)
    result = rounds.compared(seen["two"], seen["one"])
    return {
        "one_worker": result["baseline"],
        "two_workers": result["project"],
        "throughput_two_over_one": result["throughput_ratio"],
        "p99_two_over_one": result["p99_ratio"],
        "processes_answering_with_two": pids,
    }


async def main() -> int:
    with scratch() as tmp:
        result = await measure(tmp)
    path = record("workers", result)
    print(
        f"workers: canUse at {CONNECTIONS} connections, 1 worker "
        f"{result['one_worker']['ok_per_second']} req/s (p99 {result['one_worker']['p99_ms']} "
        f"ms), 2 workers {result['two_workers']['ok_per_second']} req/s (p99 "
        f"{result['two_workers']['p99_ms']} ms): x{result['throughput_two_over_one']}; "
        f"{result['processes_answering_with_two']} processes answered; recorded in {path}"
    )
    return 0 if result["processes_answering_with_two"] == 2 else 1
