"""List endpoints: `count` (≤ 100), `skip`, `from`, `to`, newest first, as a collection."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from razorpay_sandbox.errors import invalid
from razorpay_sandbox.validation import as_int, only

PAGE_PARAMS = ("count", "skip", "from", "to")
DEFAULT_COUNT = 10
MAX_COUNT = 100

Entity = dict[str, Any]


def page_bounds(query: Mapping[str, str]) -> tuple[int, int, int | None, int | None]:
    count = as_int(query.get("count", DEFAULT_COUNT), "count")
    if count > MAX_COUNT:
        raise invalid(f"The count may not be greater than {MAX_COUNT}.", "count")
    if count < 1:
        raise invalid("The count must be at least 1.", "count")
    skip = as_int(query.get("skip", 0), "skip")
    if skip < 0:
        raise invalid("The skip must be at least 0.", "skip")
    start = as_int(query["from"], "from") if "from" in query else None
    end = as_int(query["to"], "to") if "to" in query else None
    return count, skip, start, end


def collection(
    query: Mapping[str, str],
    items: Iterable[Entity],
    *,
    filters: Mapping[str, Callable[[Entity, str], bool]] | None = None,
    extra: Iterable[str] = (),
) -> Entity:
    filters = filters or {}
    only(dict(query), (*PAGE_PARAMS, *filters, *extra))
    count, skip, start, end = page_bounds(query)
    chosen = [item for item in items if _in_range(item, start, end)]
    for name, keep in filters.items():
        if name in query:
            chosen = [item for item in chosen if keep(item, query[name])]
    # Reversed first so that, within one second, the later-created item still comes first.
    chosen.reverse()
    chosen.sort(key=lambda item: item["created_at"], reverse=True)
    window = chosen[skip : skip + count]
    return {"entity": "collection", "count": len(window), "items": window}


def _in_range(item: Entity, start: int | None, end: int | None) -> bool:
    created = int(item["created_at"])
    return (start is None or created >= start) and (end is None or created <= end)


def field_equals(name: str) -> Callable[[Entity, str], bool]:
    return lambda item, value: str(item.get(name)) == value
