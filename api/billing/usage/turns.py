"""One append at a time per counter within this process.

Not what makes the ledger exact (the unique `_id` of entry n+1 does that across processes), but
what keeps it fast: 32 calls of one process racing for entry n+1 would make 31 losers read and
retry for every unit recorded. Queued here, they race only with other processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

_turns: dict[str, tuple[asyncio.Lock, int]] = {}  # counter -> its lock and how many want it


@asynccontextmanager
async def turn(counter: str) -> AsyncIterator[None]:
    lock, wanting = _turns.get(counter, (asyncio.Lock(), 0))
    _turns[counter] = (lock, wanting + 1)
    try:
        async with lock:
            yield
    finally:
        lock, wanting = _turns[counter]
        if wanting == 1:
            del _turns[counter]  # nobody else waits: the map holds only live counters
        else:
            _turns[counter] = (lock, wanting - 1)
