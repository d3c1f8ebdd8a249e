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
import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId, SortDirection
from pymongo.errors import DuplicateKeyError

from api.billing.outcomes import Problem
from api.billing.usage import outcomes
from api.billing.usage.outcomes import MAX_QUANTITY, LimitReached, Usage
from api.billing.usage.windows import Window, counter_of, window_of
from api.catalog.model import Catalog, Limit, Plan
from api.documents.usage import UsageDirection, UsageEntry

MAX_ATTEMPTS = 100
BACKOFF_SECONDS = 0.002  # times the losses so far (capped), jittered: losers spread out


@dataclass(frozen=True)
class UsageAsk:
    user_id: PydanticObjectId
    limit_code: str
    quantity: int
    key: str
    direction: UsageDirection


Outcome = Usage | LimitReached | Problem


async def change_usage(catalog: Catalog, plan: Plan, ask: UsageAsk, now: datetime) -> Outcome:
    """Record (or release) `ask.quantity` of the user's `limit_code` under `plan`."""
    limit = catalog.limit(ask.limit_code)
    if limit is None:
        return outcomes.unknown_feature(ask.limit_code)
    if not 1 <= ask.quantity <= MAX_QUANTITY:
        return outcomes.INVALID_QUANTITY
    if ask.direction is UsageDirection.RELEASE and not limit.kind.releasable:
        return outcomes.not_releasable(limit)
    first = await UsageEntry.find_one({"cause": cause_of(ask)})
    if first is not None:
        return replayed(first, ask, limit)
    return await _append(catalog, plan, limit, ask, now)


async def _append(
    catalog: Catalog, plan: Plan, limit: Limit, ask: UsageAsk, now: datetime
) -> Outcome:
    window = window_of(limit, now)
    counter = counter_of(str(ask.user_id), limit, window)
    for attempt in range(MAX_ATTEMPTS):
        latest = await latest_entry(counter)
        entry = _next_entry(latest, counter, limit, plan, ask, window, now)
        if isinstance(entry, LimitReached):
            return with_lifting(catalog, entry)
        if isinstance(entry, Problem):
            return entry
        try:
            await entry.insert()
        except DuplicateKeyError:  # another writer took this seq, or this key came in twice
            first = await UsageEntry.find_one({"cause": cause_of(ask)})
            if first is not None:
                return replayed(first, ask, limit)
            await asyncio.sleep(random.uniform(0, BACKOFF_SECONDS * min(attempt + 1, 10)))  # noqa: S311
            continue
        return _usage(entry, limit, window)
    return outcomes.CONTENDED


def _next_entry(
    latest: UsageEntry | None,
    counter: str,
    limit: Limit,
    plan: Plan,
    ask: UsageAsk,
    window: Window,
    now: datetime,
) -> UsageEntry | LimitReached | Problem:
    used = latest.total if latest is not None else 0
    allowed = plan.limit(limit.code)
    if ask.direction is UsageDirection.RELEASE:
        if ask.quantity > used:
            return outcomes.releasing_more_than_used(used)
        total = used - ask.quantity
    else:
        standing = Usage(limit, used, allowed, window.resets_at)
        if not standing.admits(ask.quantity):
            return LimitReached(standing, ask.quantity, None)
        total = used + ask.quantity
    seq = (latest.seq if latest is not None else 0) + 1
    return UsageEntry(
        id=f"{counter}#{seq}",
        counter=counter,
        seq=seq,
        user_id=ask.user_id,
        limit_code=limit.code,
        window=window.key,
        cause=cause_of(ask),
        direction=ask.direction,
        quantity=ask.quantity,
        total=total,
        limit_at=allowed,
        at=now,
    )


async def latest_entry(counter: str) -> UsageEntry | None:
    return (
        await UsageEntry.find({"counter": counter})
        .sort([("seq", SortDirection.DESCENDING)])
        .limit(1)
        .first_or_none()
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
