"""`python -m bench [guards|validation ...]`: the benchmarks named (all by default), each
recording its result under bench/results/; non-zero when any is over its budget."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bench import canuse, guards, validation

BENCHMARKS: dict[str, Callable[[], Coroutine[Any, Any, int]]] = {
    "validation": validation.main,
    "guards": guards.main,
    "canuse": canuse.main,
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
