"""Pure arithmetic on an account's lots: what expires, what a spend or a clawback takes."""

from __future__ import annotations

from datetime import datetime

from api.documents.credits import Lot

NEVER = datetime.max.replace(tzinfo=None)


def _expiry_key(lot: Lot) -> tuple[datetime, str]:
    ends = lot.expires_at.replace(tzinfo=None) if lot.expires_at else NEVER
    return (ends, lot.lot)


def expired(lots: list[Lot], now: datetime) -> list[Lot]:
    """Lots whose validity has ended, oldest expiry first."""
    naive = now.replace(tzinfo=None)
    ended = [x for x in lots if x.expires_at and x.expires_at.replace(tzinfo=None) <= naive]
    return sorted(ended, key=_expiry_key)


def without(lots: list[Lot], name: str) -> list[Lot]:
    return [x for x in lots if x.lot != name]


def take(lots: list[Lot], amount: int, *, first: str | None = None) -> list[Lot]:
    """`amount` taken soonest-expiring first (from lot `first` before any other, for a clawback
    of that grant); the caller has checked the lots hold it."""
    order = sorted(lots, key=lambda x: (x.lot != first, *_expiry_key(x)))
    left, after = amount, []
    for lot in order:
        used = min(left, lot.remaining)
        left -= used
        if lot.remaining > used:
            after.append(lot.model_copy(update={"remaining": lot.remaining - used}))
    assert left == 0, "took more than the lots hold"
    return after


def taken(before: list[Lot], after: list[Lot]) -> list[Lot]:
    """What an entry took from each lot, going from `before` to `after`, each part with the
    expiry of the lot it came from."""
    left = {x.lot: x.remaining for x in after}
    parts = [x.model_copy(update={"remaining": x.remaining - left.get(x.lot, 0)}) for x in before]
    return [x for x in parts if x.remaining > 0]


def total(lots: list[Lot]) -> int:
    return sum(x.remaining for x in lots)
