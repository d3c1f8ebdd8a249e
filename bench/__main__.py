"""`python -m bench [validation|guards|usage|canuse|entitlements|history|workers|memory|credits|
webhooks ...]`: the benchmarks named (all by default, in that order), each recording its result
under bench/results/; non-zero when any misses its target."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bench import (
    canuse,
    credits,
    entitlements,
    guards,
    history,
    memory,
    usage,
    validation,
    webhooks,
    workers,
)

BENCHMARKS: dict[str, Callable[[], Coroutine[Any, Any, int]]] = {
    "validation": validation.main,
    "guards": guards.main,
    "usage": usage.main,
    "canuse": canuse.main,
    "entitlements": entitlements.main,
    "history": history.main,
    "workers": workers.main,
    "memory": memory.main,
    "credits": credits.main,
    # Last: a burst the embedded database does not survive would fail the ones after it.
    "webhooks": webhooks.main,
}


def run(names: list[str]) -> int:
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    statuses = [asyncio.run(BENCHMARKS[name]()) for name in names or BENCHMARKS]
    return max(statuses)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
