"""`recordUsage` throughput over HTTP against the service as deployed (two workers, one database):
32 concurrent callers on one counter, then 32 callers on 32 counters. The bench checks its own
exactness: every unit recorded once (the totals the successes report are exactly 1..n), replays
counted never, the limit never passed, and the ledger's total equal to the successes.

The catalog is the default one with the free plan's daily chats raised to `LIMIT`, so the one
counter run ends at its limit: every caller goes on until it is told LIMIT_REACHED.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from api.identity.tokens import TokenVerifier
from bench.environment import ROOT, database, record
from bench.guards import scratch
from bench.servers import JWT_SECRET, service

CALLERS = 32
WORKERS = 2
LIMIT = 640  # the free plan's chats a day in the bench's catalog: the one counter's end
PER_COUNTER = 20  # calls of each caller in the 32-counter run (within the limit)
REPLAY_EVERY = 8  # each caller sends its previous key again every so many calls
RECORD = """mutation($k: String!) { recordUsage(feature: "chats", quantity: 1, idempotencyKey: $k)
  { __typename ... on LimitUsage { used } ... on LimitReached { used limit }
    ... on Failure { code retryable } } }"""
USED = "{ entitlements { limits { feature used } } }"


@dataclass
class Tally:
    """What one run saw: each key's first answer, replays, refusals and latencies."""

    first: dict[str, int] = field(default_factory=dict)  # key -> the total it reported
    replays: int = 0
    replays_differing: int = 0
    limit_reached: int = 0
    over_limit: int = 0  # a LimitReached that reported more than the limit used
    contended: int = 0  # USAGE_CONTENDED: retried with the same key
    calls: int = 0
    latencies: list[float] = field(default_factory=list)


def bench_policies(tmp: Path) -> Path:
    copied = tmp / "policies"
    shutil.copytree(ROOT / "policies", copied)
    catalog = copied / "catalog.toml"
    text = catalog.read_text()
    assert "limits = { chats = 20 }" in text, "the default catalog's free chats moved"
    catalog.write_text(text.replace("limits = { chats = 20 }", f"limits = {{ chats = {LIMIT} }}"))
    return copied


def bearer(subject: str) -> dict[str, str]:
    token = TokenVerifier(JWT_SECRET).issue(
        subject=subject,
        email=f"{subject}@example.com",
        roles=frozenset(),
        now=datetime.now(UTC),
        ttl=timedelta(hours=1),
    )
    return {"Authorization": f"Bearer {token}"}


async def send(http: httpx.AsyncClient, who: dict[str, str], key: str, tally: Tally) -> Any:
    started = time.perf_counter()
    response = await http.post(
        "/graphql", json={"query": RECORD, "variables": {"k": key}}, headers=who
    )
    tally.latencies.append(time.perf_counter() - started)
    tally.calls += 1
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, response.text
    return body["data"]["recordUsage"]


async def caller(
    http: httpx.AsyncClient, subject: str, name: str, calls: int | None, tally: Tally
) -> None:
    """Records until `calls` are recorded, or (None) until the limit says no."""
    who = bearer(subject)
    n = 0
    while calls is None or n < calls:
        key = f"{name}-{n:06d}"
        answer = await send(http, who, key, tally)
        kind = answer["__typename"]
        if kind == "Failure":
            assert answer["retryable"], answer
            tally.contended += 1
            continue
        if kind == "LimitReached":
            tally.limit_reached += 1
            tally.over_limit += answer["used"] > answer["limit"]
            return
        tally.first[key] = answer["used"]
        n += 1
        if n % REPLAY_EVERY == 0:
            again = await send(http, who, key, tally)
            tally.replays += 1
            tally.replays_differing += again.get("used") != answer["used"]


async def used_by(http: httpx.AsyncClient, subject: str) -> int:
    response = await http.post("/graphql", json={"query": USED}, headers=bearer(subject))
    limits = response.json()["data"]["entitlements"]["limits"]
    found: int = next(x["used"] for x in limits if x["feature"] == "chats")
    return found


async def one_counter(http: httpx.AsyncClient) -> dict[str, Any]:
    tally = Tally()
    started = time.perf_counter()
    await asyncio.gather(
        *(caller(http, "bench-one", f"one-{c}", None, tally) for c in range(CALLERS))
    )
    seconds = time.perf_counter() - started
    totals = sorted(tally.first.values())
    exact = (
        totals == list(range(1, LIMIT + 1))
        and await used_by(http, "bench-one") == LIMIT
        and tally.replays_differing == 0
        and tally.over_limit == 0
        and tally.limit_reached == CALLERS
    )
    return summary(tally, seconds, exact)


async def many_counters(http: httpx.AsyncClient) -> dict[str, Any]:
    tallies = [Tally() for _ in range(CALLERS)]
    started = time.perf_counter()
    await asyncio.gather(
        *(
            caller(http, f"bench-many-{c}", f"many-{c}", PER_COUNTER, tallies[c])
            for c in range(CALLERS)
        )
    )
    seconds = time.perf_counter() - started
    exact = True
    for c, tally in enumerate(tallies):
        exact &= sorted(tally.first.values()) == list(range(1, PER_COUNTER + 1))
        exact &= await used_by(http, f"bench-many-{c}") == PER_COUNTER
        exact &= tally.replays_differing == 0
    merged = Tally()
    for tally in tallies:
        merged.first |= tally.first
        merged.replays += tally.replays
        merged.contended += tally.contended
        merged.calls += tally.calls
        merged.latencies += tally.latencies
    return summary(merged, seconds, exact)


def summary(tally: Tally, seconds: float, exact: bool) -> dict[str, Any]:
    ms = sorted(s * 1000 for s in tally.latencies)
    return {
        "units_recorded": len(tally.first),
        "calls": tally.calls,
        "replays": tally.replays,
        "limit_reached": tally.limit_reached,
        "contended_retried": tally.contended,
        "seconds": round(seconds, 2),
        "recorded_per_second": round(len(tally.first) / seconds, 1),
        "calls_per_second": round(tally.calls / seconds, 1),
        "latency_ms": {
            "median": round(statistics.median(ms), 1),
            "p90": round(ms[int(len(ms) * 0.9)], 1),
            "p99": round(ms[int(len(ms) * 0.99)], 1),
        },
        "exact": exact,
    }


async def main() -> int:
    with scratch() as tmp, database(tmp) as (uri, name):
        env = {"POLICY_DIR": str(bench_policies(tmp)), "RATE_LIMIT_USAGE": "1000000/1h"}
        with service(uri, name, tmp, workers=WORKERS, extra_env=env) as server:
            limits = httpx.Limits(max_connections=CALLERS)
            async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
                result: dict[str, Any] = {
                    "setup": {"callers": CALLERS, "workers": WORKERS, "limit": LIMIT},
                    # A busy machine (other work on its cores) slows every figure below.
                    "load_average_before": round(os.getloadavg()[0], 2),
                    "one_counter": await one_counter(http),
                    "32_counters": await many_counters(http),
                }
    path = record("usage", result)
    one, many = result["one_counter"], result["32_counters"]
    print(
        f"usage: one counter {one['recorded_per_second']} units/s ({one['calls']} calls,"
        f" {one['contended_retried']} contended, p99 {one['latency_ms']['p99']} ms,"
        f" exact {one['exact']}); 32 counters {many['recorded_per_second']} units/s"
        f" (p99 {many['latency_ms']['p99']} ms, exact {many['exact']}); recorded in {path}"
    )
    return 0 if one["exact"] and many["exact"] else 1
