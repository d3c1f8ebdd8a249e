"""The credits ledger: append-only, one entry per cause, each with the balance after it.

Appending entry n+1 is an insert of `_id` "<user>:<n+1>": of two writers that read entry n, one
insert wins and the other reads again and recomputes (FerretDB has no atomic conditional update,
so the unique `_id` is the only guard, and it is enough). The cause index makes every cause count
once: a replay finds its entry and adds nothing. Lots whose validity ended are expired, oldest
first, before anything else is written, and whenever the ledger is read, with the service clock.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId, SortDirection
from pymongo.errors import DuplicateKeyError

from api.billing.credits import lots as lot_math
from api.documents.credits import CreditEntry, EntryKind, Lot

NEWEST_FIRST = [("seq", SortDirection.DESCENDING)]
MAX_ROUNDS = 500  # 32 writers on one account settle well within this


@dataclass(frozen=True)
class Change:
    """What one entry does; `plan` turns the account's lots into the entry, or refuses."""

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


async def last_entry(user_id: PydanticObjectId) -> CreditEntry | None:
    query = CreditEntry.find(CreditEntry.user_id == user_id)
    entries = await query.sort(NEWEST_FIRST).limit(1).to_list()
    return entries[0] if entries else None


async def by_cause(cause: str) -> CreditEntry | None:
    return await CreditEntry.find_one(CreditEntry.cause == cause)


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
        await asyncio.sleep(random.uniform(0, 0.002 * min(attempt, 10)))  # noqa: S311
    raise ContendedTooLong(f"credits ledger of {user_id}: {MAX_ROUNDS} rounds lost")


async def expire_due(user_id: PydanticObjectId, now: datetime) -> CreditEntry | None:
    """The last entry once every lot due at `now` has its expiry entry, oldest first."""
    for _ in range(MAX_ROUNDS):
        last = await last_entry(user_id)
        due = lot_math.expired(list(last.lots_after), now) if last else []
        if not due:
            return last
        lot = due[0]
        change = Change(cause=f"expire:{lot.lot}", kind=EntryKind.EXPIRY)
        remaining = lot_math.without(list(last.lots_after) if last else [], lot.lot)
        entry = _entry(user_id, last, change, Planned(-lot.remaining, remaining), now)
        await _inserted(entry)  # lost to another writer: it expired it, or appended; read again
    raise ContendedTooLong(f"credits ledger of {user_id}: expiry kept losing")


async def _inserted(entry: CreditEntry) -> bool:
    try:
        await entry.insert()
    except DuplicateKeyError:
        return False
    return True


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
        id=f"{user_id}:{seq}",
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
