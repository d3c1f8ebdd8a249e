"""`python -m bench`: every benchmark, each recording its result under bench/results/."""

from __future__ import annotations

import asyncio
import sys

from bench.guards import main

if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
