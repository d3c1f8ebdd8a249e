"""Recording and releasing usage: an append-only ledger per counter, exact under concurrency.

FerretDB's conditional updates are not atomic, so no counter is ever updated. Each change is a new
entry n+1 carrying the running total; its `_id` (`<counter>#<n+1>`) is unique, so of two writers
that read entry n only one inserts n+1, and the other reads again and retries (bounded). The
total is checked against the limit before the insert, on the very entry the insert follows, so
no interleaving can pass the limit or go below zero. The caller's idempotency key, unique per
user, makes a replay return the first result and never count twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from api.billing.outcomes import Problem, unknown_feature
from api.billing.usage import outcomes
from api.billing.usage.outcomes import MAX_QUANTITY, LimitReached, Usage
from api.billing.usage.tips import latest_entry, saw
from api.billing.usage.turns import turn
from api.billing.usage.windows import Window, counter_of, window_of
from api.catalog.model import Catalog, Limit, Plan
from api.documents.usage import UsageDirection, UsageEntry, UsageKey

MAX_ATTEMPTS = 100
BACKOFF_SECONDS = 0.002  # times the losses so far (capped), jittered: losers spread out


@dataclass(frozen=True)
class UsageAsk:
    user_id: PydanticObjectId
    limit_code: str
    quantity: int
    key: str
    direction: UsageDirection


@dataclass(frozen=True)
class Place:
    """Where an ask lands: its counter, that counter's window, and the time it was asked."""

    counter: str
    window: Window
    now: datetime


Outcome = Usage | LimitReached | Problem


async def change_usage(catalog: Catalog, plan: Plan, ask: UsageAsk, now: datetime) -> Outcome:
    """Record (or release) `ask.quantity` of the user's `limit_code` under `plan`."""
    limit = catalog.limit(ask.limit_code)
    if limit is None:
        return unknown_feature(ask.limit_code[:40])
    if not 1 <= ask.quantity <= MAX_QUANTITY:
        return outcomes.INVALID_QUANTITY
    if ask.direction is UsageDirection.RELEASE and not limit.kind.releasable:
        return outcomes.not_releasable(limit)
    first = await _entry_of_key(cause_of(ask))
    if first is not None:
        return replayed(first, ask, limit)
    window = window_of(limit, now)
    counter = counter_of(str(ask.user_id), limit, window)
    async with turn(counter):
        return await _append(catalog, plan, limit, ask, Place(counter, window, now))


async def _append(
    catalog: Catalog, plan: Plan, limit: Limit, ask: UsageAsk, place: Place
) -> Outcome:
    for attempt in range(MAX_ATTEMPTS):
        latest = await latest_entry(place.counter)
        if latest is not None and latest.cause == cause_of(ask):  # its key not yet remembered
            return replayed(latest, ask, limit)
        entry = _next_entry(latest, limit, plan, ask, place)
        if isinstance(entry, LimitReached):
            return with_lifting(catalog, entry)
        if isinstance(entry, Problem):
            return entry
        try:
            await entry.insert()
        except DuplicateKeyError:
            first = await _after_collision(entry)
            if first is not None:
                return replayed(first, ask, limit)
            await asyncio.sleep(random.uniform(0, BACKOFF_SECONDS * min(attempt + 1, 10)))  # noqa: S311
            continue
        await _remember_key(entry)
        return _usage(entry, limit, place.window)
    return outcomes.CONTENDED


async def _entry_of_key(cause: str) -> UsageEntry | None:
    key = await UsageKey.get(cause)
    return await UsageEntry.get(key.entry_id) if key is not None else None


async def _after_collision(entry: UsageEntry) -> UsageEntry | None:
    """The key's first entry if the key was spent, None if only the seq was taken (retry)."""
    taken = await UsageEntry.get(entry.id)
    if taken is None:  # the seq is free, so the key's unique index refused: find its entry
        return await UsageEntry.find_one({"cause": entry.cause})  # a scan on FerretDB; rare
    if taken.cause == entry.cause:
        return taken
    return await _entry_of_key(entry.cause)  # lost the seq; the key may have been spent too


async def _remember_key(entry: UsageEntry) -> None:
    saw(entry)
    with contextlib.suppress(DuplicateKeyError):
        await UsageKey(id=entry.cause, entry_id=entry.id).insert()


def _next_entry(
    latest: UsageEntry | None, limit: Limit, plan: Plan, ask: UsageAsk, place: Place
) -> UsageEntry | LimitReached | Problem:
    used = latest.total if latest is not None else 0
    allowed = plan.limit(limit.code)
    if ask.direction is UsageDirection.RELEASE:
        if ask.quantity > used:
            return outcomes.releasing_more_than_used(used)
        total = used - ask.quantity
    else:
        standing = Usage(limit, used, allowed, place.window.resets_at)
        if not standing.admits(ask.quantity):
            return LimitReached(standing, ask.quantity, None)
        total = used + ask.quantity
    seq = (latest.seq if latest is not None else 0) + 1
    return UsageEntry(
        id=f"{place.counter}#{seq}",
        counter=place.counter,
        seq=seq,
        user_id=ask.user_id,
        limit_code=limit.code,
        window=place.window.key,
        cause=cause_of(ask),
        direction=ask.direction,
        quantity=ask.quantity,
        total=total,
        limit_at=allowed,
        at=place.now,
    )


def with_lifting(catalog: Catalog, reached: LimitReached) -> LimitReached:
    needed = reached.usage.used + reached.asked
    lifting = catalog.cheapest_lifting(reached.usage.limit.code, needed)
    return dataclasses.replace(reached, lifting=lifting)


def cause_of(ask: UsageAsk) -> str:
    return f"{ask.user_id}:{ask.key}"


def replayed(first: UsageEntry, ask: UsageAsk, limit: Limit) -> Usage | Problem:
    same = (first.limit_code, first.quantity, first.direction) == (
        ask.limit_code,
        ask.quantity,
        ask.direction,
    )
    if not same:
        return outcomes.KEY_REUSED
    return _usage(first, limit, window_of(limit, first.at))


def _usage(entry: UsageEntry, limit: Limit, window: Window) -> Usage:
    return Usage(limit, entry.total, entry.limit_at, window.resets_at)
