"""Writing, re-reading and writing again until a record shows what this writer knows.

Updates are not atomic on FerretDB, so two writers of one record may interleave. Each writer
therefore works in rounds: read the record, write what it lacks, and read again, until a round
finds nothing missing. As every writer only adds what it knows (a fill-in, a forward move, the
fold of stored observations), the record converges on what all of them know. A writer that is
still not settled after `MAX_ROUNDS` gives up with `NotConverged` rather than report success: a
webhook's event is then marked failed, for the sweep to apply again; a GraphQL caller is told
to try again (BUSY).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog

# Each round is a read and at most a write or two; contention of two or three writers settles in
# two or three rounds, so eight is far past anything but a writer that can never settle.
MAX_ROUNDS = 8
T = TypeVar("T")
log = structlog.get_logger("billing.convergence")


class NotConverged(RuntimeError):
    """The record still lacked what this writer knows after `MAX_ROUNDS` rounds."""


@dataclass(frozen=True)
class Settled(Generic[T]):
    """A round that found nothing to write, and what it found."""

    value: T


Round = Callable[[], Awaitable[Settled[T] | None]]  # None: it wrote, so read again


async def until_settled(one_round: Round[T], *, what: str) -> T:
    for _ in range(MAX_ROUNDS):
        settled = await one_round()
        if settled is not None:
            return settled.value
    log.warning("not_converged", record=what, rounds=MAX_ROUNDS)
    raise NotConverged(f"{what} did not settle in {MAX_ROUNDS} rounds of writing and re-reading")
