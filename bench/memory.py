"""Memory: the service's resident set (RSS) before and after 50,000 signed-in `canUse`
requests over HTTP (after a warm-up of 2,000). Budget: it grows by at most 10 MB."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench import load
from bench.environment import database, record
from bench.guards import scratch
from bench.population import can_use_requests, seed_users
from bench.servers import service

REQUESTS = int(os.environ.get("BENCH_MEMORY_REQUESTS", "50000"))
WARMUP = 2000
CONNECTIONS = 32
BUDGET_MIB = 10.0


async def measure(tmp: Path) -> dict[str, Any]:
    binary = load.build(tmp)
    with database(tmp) as (uri, name):
        subjects = await seed_users(uri, name)
        requests = load.write_requests(tmp / "canuse.jsonl", can_use_requests(subjects))
        with service(uri, name, tmp) as project:
            load.run(binary, project.url, requests, conns=CONNECTIONS, count=WARMUP)
            before = project.rss_kib()
            seen = load.run(
                binary, project.url, requests, conns=CONNECTIONS, count=REQUESTS, deadline=1800
            )
            after = project.rss_kib()
    growth = (after - before) / 1024
    return {
        "requests": seen.sent,
        "statuses": seen.statuses,
        "rss_before_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "growth_mib": round(growth, 2),
        "budget_mib": BUDGET_MIB,
        "within_budget": growth <= BUDGET_MIB,
    }


async def main() -> int:
    with scratch() as tmp:
        result = await measure(tmp)
    path = record("memory", result)
    print(
        f"memory: RSS {result['rss_before_mib']} MiB -> {result['rss_after_mib']} MiB over "
        f"{result['requests']} canUse requests ({result['growth_mib']:+} MiB, budget "
        f"{BUDGET_MIB:.0f} MiB); recorded in {path}"
    )
    return 0 if result["within_budget"] else 1
