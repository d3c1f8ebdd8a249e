"""Access checks: `canUse` over HTTP against the bare-Starlette baseline (bench/baseline.py), at 8
and 32 connections, in alternating rounds, plus the GraphQL layer's own cost in-process
(bench/layer.py). Targets: at least 80% of the baseline's requests/s with a p99 at most 1.5x
its p99 at each connection count, and the layer at most 100 µs."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from bench import layer, load, rounds
from bench.environment import database, record
from bench.guards import scratch
from bench.population import can_use_requests, check_decisions, seed_users
from bench.servers import Server, baseline, service

CONNECTIONS = (8, 32)
ROUNDS = 4  # per side: A B B A A B B A
SECONDS = 5.0
WARMUP_SECONDS = 2.0
MIN_THROUGHPUT_RATIO = 0.8
MAX_P99_RATIO = 1.5


def side_by_side(
    binary: Path, requests: Path, project: Server, bare: Server, conns: int
) -> dict[str, Any]:
    """Both servers warmed up, then measured in alternating rounds at `conns` connections, with
    what each process spent per request, whatever else the machine (and the database) did."""
    cpu: dict[str, list[float]] = {project.name: [], bare.name: []}

    def side(server: Server) -> load.Load:
        used = server.cpu_seconds()
        seen = load.run(binary, server.url, requests, conns=conns, seconds=SECONDS)
        cpu[server.name].append((server.cpu_seconds() - used) / max(seen.sent, 1) * 1e6)
        return seen

    for server in (project, bare):
        load.run(binary, server.url, requests, conns=conns, seconds=WARMUP_SECONDS)
    seen = rounds.alternate(
        {"project": lambda: side(project), "baseline": lambda: side(bare)}, ROUNDS
    )
    result = rounds.compared(seen["project"], seen["baseline"])
    result["project"]["cpu_us_per_request"] = round(statistics.median(cpu[project.name]))
    result["baseline"]["cpu_us_per_request"] = round(statistics.median(cpu[bare.name]))
    return result


def compare(
    binary: Path, requests: Path, project: Server, bare: Server, conns: int
) -> dict[str, Any]:
    result = side_by_side(binary, requests, project, bare, conns)
    result["meets_target"] = (
        result["throughput_ratio"] >= MIN_THROUGHPUT_RATIO and result["p99_ratio"] <= MAX_P99_RATIO
    )
    return result


async def measure_http(tmp: Path) -> dict[str, Any]:
    binary = load.build(tmp)
    with database(tmp) as (uri, name):
        subjects = await seed_users(uri, name)
        requests = load.write_requests(tmp / "canuse.jsonl", can_use_requests(subjects))
        with service(uri, name, tmp) as project, baseline(uri, name, tmp) as bare:
            check_decisions(project.url, subjects)
            return {
                f"{conns}_connections": compare(binary, requests, project, bare, conns)
                for conns in CONNECTIONS
            }


def report(result: dict[str, Any]) -> None:
    for conns in CONNECTIONS:
        row = result["http"][f"{conns}_connections"]
        ours, theirs = row["project"], row["baseline"]
        print(
            f"  canUse, {conns:2} connections: {ours['ok_per_second']:7.1f} req/s vs baseline "
            f"{theirs['ok_per_second']:7.1f} = {row['throughput_ratio']:.2f} (target "
            f">= {MIN_THROUGHPUT_RATIO}); p99 {ours['p99_ms']} ms vs {theirs['p99_ms']} ms = "
            f"{row['p99_ratio']:.2f}x (target <= {MAX_P99_RATIO}x); CPU per request "
            f"{ours['cpu_us_per_request']} µs vs {theirs['cpu_us_per_request']} µs; the load "
            f"generator used {max(ours['loadgen_cpu_share'], theirs['loadgen_cpu_share']):.0%} "
            "of a core"
        )
    inside = result["in_process"]
    print(
        f"  canUse in-process: execute {inside['execute_us']} µs, decision {inside['decision_us']}"
        f" µs, GraphQL layer {inside['layer_us']} µs (budget {inside['budget_us']:.0f} µs)"
    )


async def main() -> int:
    result: dict[str, Any] = {"in_process": await layer.measure()}
    with scratch() as tmp:
        result["http"] = await measure_http(tmp)
    met = result["in_process"]["within_budget"] and all(
        row["meets_target"] for row in result["http"].values()
    )
    result["meets_targets"] = met
    path = record("canuse", result)
    report(result)
    print(f"canuse: {'targets met' if met else 'TARGET MISSED'}; recorded in {path}")
    return 0 if met else 1
