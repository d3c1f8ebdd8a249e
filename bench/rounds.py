"""Alternating rounds (A B B A ...): whatever the machine drifts by falls on both sides alike."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from bench.load import Load


def alternate(sides: dict[str, Callable[[], Load]], rounds: int) -> dict[str, list[Load]]:
    """`rounds` runs of each side, in the order A B B A A B B A ..."""
    names = list(sides)
    seen: dict[str, list[Load]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            seen[name].append(sides[name]())
    return seen


def medians(loads: list[Load]) -> dict[str, Any]:
    return {
        "ok_per_second": round(statistics.median(load.ok_per_second for load in loads), 1),
        "p50_ms": round(statistics.median(load.p50_ms for load in loads), 2),
        "p99_ms": round(statistics.median(load.p99_ms for load in loads), 2),
        "rounds": [load.summary() for load in loads],
        "loadgen_cpu_share": round(max(load.loadgen_cpu_share for load in loads), 3),
    }


def compared(project: list[Load], baseline: list[Load]) -> dict[str, Any]:
    """Medians of each side's rounds, and the project's throughput and p99 over the baseline's."""
    ours, theirs = medians(project), medians(baseline)
    return {
        "project": ours,
        "baseline": theirs,
        "throughput_ratio": _ratio(ours["ok_per_second"], theirs["ok_per_second"]),
        "p99_ratio": _ratio(ours["p99_ms"], theirs["p99_ms"]),
    }


def _ratio(ours: float, theirs: float) -> float:
    return round(ours / theirs, 3) if theirs else 0.0
