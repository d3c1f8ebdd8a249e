"""The credits ledger: append-only, one entry per cause, each with the balance after it.

Appending entry n+1 is an insert of `_id` "<user>:<n+1>": of two writers that read entry n, one
insert wins and the other reads again and recomputes (FerretDB has no atomic conditional update,
so the unique `_id` is the only guard, and it is enough). The unique `cause` makes every cause
count once: a replay finds its entry and adds nothing. Lots whose validity ended are expired,
oldest first, before anything else is written and whenever the ledger is read, at the service
clock's time.

Every read is by `_id` (FerretDB scans the collection for anything else): the last entry is
found by probing "<user>:<n>" upwards from the highest number this process has seen, then
halving; a cause by its `CreditCause` document.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from api.billing.credits import lots as lot_math
from api.documents.credits import CreditCause, CreditEntry, EntryKind, Lot

MAX_ROUNDS = 1000  # 32 writers on one account settle well within this
MOST_REMEMBERED = 100_000  # accounts whose last number this process remembers
_seen: dict[PydanticObjectId, int] = {}


@dataclass(frozen=True)
class Change:
    """What one entry does; a `Planner` turns the account's lots into the entry, or refuses."""

    cause: str
    kind: EntryKind
    pack_code: str | None = None
    reason: str | None = None
    actor: str | None = None


@dataclass(frozen=True)
class Planned:
    amount: int
    lots_after: list[Lot]
    shortfall: int = 0


class Refused(Exception):
    """The change cannot apply to the current lots (e.g. not enough credits)."""

    def __init__(self, balance: int) -> None:
        super().__init__(balance)
        self.balance = balance


Planner = Callable[[list[Lot]], Planned]


@dataclass(frozen=True)
class Appended:
    entry: CreditEntry
    replayed: bool  # the cause was already in the ledger: nothing was added


class ContendedTooLong(Exception):
    pass


def entry_id(user_id: PydanticObjectId, seq: int) -> str:
    return f"{user_id}:{seq}"


async def _exists(user_id: PydanticObjectId, seq: int) -> bool:
    return await CreditEntry.get(entry_id(user_id, seq)) is not None


async def last_seq(user_id: PydanticObjectId) -> int:
    """The account's highest entry number (0: none). Entries are numbered without gaps."""
    low = _seen.get(user_id, 0)
    step = 1
    while await _exists(user_id, low + step):
        low, step = low + step, step * 2
    high = low + step  # low exists (or is 0), high does not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if await _exists(user_id, middle) else (low, middle)
    if len(_seen) >= MOST_REMEMBERED:
        _seen.clear()
    _seen[user_id] = low
    return low


async def last_entry(user_id: PydanticObjectId) -> CreditEntry | None:
    seq = await last_seq(user_id)
    return await CreditEntry.get(entry_id(user_id, seq)) if seq else None


async def by_cause(cause: str) -> CreditEntry | None:
    found = await CreditCause.get(cause)
    return await CreditEntry.get(found.entry_id) if found else None


async def append(
    user_id: PydanticObjectId, change: Change, plan: Planner, now: datetime
) -> Appended:
    """Apply `change` once; raises `Refused` from the planner, nothing written."""
    for attempt in range(MAX_ROUNDS):
        done = await by_cause(change.cause)
        if done is not None:
            return Appended(done, replayed=True)
        last = await expire_due(user_id, now)
        planned = plan(list(last.lots_after) if last else [])
        entry = _entry(user_id, last, change, planned, now)
        if await _inserted(entry):
            return Appended(entry, replayed=False)
        await asyncio.sleep(random.uniform(0, 0.001 * min(attempt, 20)))  # noqa: S311
    raise ContendedTooLong(f"credits ledger of {user_id}: {MAX_ROUNDS} rounds lost")


async def expire_due(user_id: PydanticObjectId, now: datetime) -> CreditEntry | None:
    """The last entry once every lot due at `now` has its expiry entry, oldest first."""
    for _ in range(MAX_ROUNDS):
        last = await last_entry(user_id)
        due = lot_math.expired(list(last.lots_after), now) if last else []
        if last is None or not due:
            return last
        lot = due[0]
        change = Change(cause=f"expire:{lot.lot}", kind=EntryKind.EXPIRY)
        remaining = lot_math.without(list(last.lots_after), lot.lot)
        entry = _entry(user_id, last, change, Planned(-lot.remaining, remaining), now)
        await _inserted(entry)  # lost to another writer: it expired it, or appended; read again
    raise ContendedTooLong(f"credits ledger of {user_id}: expiry kept losing")


async def _inserted(entry: CreditEntry) -> bool:
    """Whether `entry` is now in the ledger: False when its number or its cause was taken (the
    caller reads again and finds which)."""
    try:
        await entry.insert()
    except DuplicateKeyError:
        if await CreditEntry.get(entry.id) is None:
            await _index_cause_if_taken(entry.cause)  # not its number: its cause was taken
        return False
    await _index_cause(entry.cause, entry.id)
    return True


async def _index_cause(cause: str, entry_id_: str) -> None:
    with contextlib.suppress(DuplicateKeyError):  # a replay that found the entry wrote it
        await CreditCause(id=cause, entry_id=entry_id_).insert()


async def _index_cause_if_taken(cause: str) -> None:
    """A writer that died between its entry and its cause document left the cause unreadable by
    `_id`: found here by a scan (rare: only after a duplicate) and indexed."""
    if await CreditCause.get(cause) is not None:
        return
    found = await CreditEntry.find_one(CreditEntry.cause == cause)
    if found is not None:
        await _index_cause(cause, found.id)


def _entry(
    user_id: PydanticObjectId,
    last: CreditEntry | None,
    change: Change,
    planned: Planned,
    now: datetime,
) -> CreditEntry:
    seq = last.seq + 1 if last else 1
    balance = lot_math.total(planned.lots_after)
    assert balance >= 0 and balance == (last.balance_after if last else 0) + planned.amount
    return CreditEntry(
        id=entry_id(user_id, seq),
        user_id=user_id,
        seq=seq,
        cause=change.cause,
        kind=change.kind,
        amount=planned.amount,
        balance_after=balance,
        lots_after=planned.lots_after,
        pack_code=change.pack_code,
        reason=change.reason,
        shortfall=planned.shortfall,
        actor=change.actor,
        at=now,
    )
