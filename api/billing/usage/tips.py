"""Where a counter's ledger ends: its latest entry, found by `_id` lookups only.

FerretDB v1 on SQLite pushes only `_id` equality down to the database; a query on any other
field, or a sort, reads the whole collection. Entries are `<counter>#<seq>` with no gaps, so the
latest is found by probing `_id`s: from the last seq this process saw (it still exists and n+1
does not: one or two reads), or from nothing by doubling, then halving (2·log₂ n reads).
"""

from __future__ import annotations

from api.documents.usage import UsageEntry

MOST_REMEMBERED = 100_000
_seen: dict[str, int] = {}  # counter -> a seq known to exist (entries are never removed)


async def latest_entry(counter: str) -> UsageEntry | None:
    known = _seen.get(counter)
    found = await _entry(counter, known) if known else None
    if found is None:  # not seen yet, or the ledger was emptied under us (tests do)
        found = await _from_nothing(counter)
    found = await _onwards(counter, found)
    if found is not None:
        saw(found)
    return found


def saw(entry: UsageEntry) -> None:
    if len(_seen) >= MOST_REMEMBERED:
        _seen.clear()
    if entry.seq > _seen.get(entry.counter, 0):
        _seen[entry.counter] = entry.seq


async def _entry(counter: str, seq: int) -> UsageEntry | None:
    return await UsageEntry.get(f"{counter}#{seq}")


async def _onwards(counter: str, found: UsageEntry | None) -> UsageEntry | None:
    while found is not None:
        following = await _entry(counter, found.seq + 1)
        if following is None:
            return found
        found = following
    return None


async def _from_nothing(counter: str) -> UsageEntry | None:
    """The latest entry or one near it: doubling to a missing seq, then halving between."""
    present, missing = None, 1
    while (entry := await _entry(counter, missing)) is not None:
        present, missing = entry, missing * 2
    while present is not None and missing - present.seq > 1:
        middle = (present.seq + missing) // 2
        entry = await _entry(counter, middle)
        if entry is None:
            missing = middle
        else:
            present = entry
    return present
