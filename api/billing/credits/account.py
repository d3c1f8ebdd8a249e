"""What can be done to a credits account: grant, spend, adjust, claw back, and read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from beanie import PydanticObjectId

from api.billing.credits import lots as lot_math
from api.billing.credits.ledger import (
    Appended,
    Change,
    Planned,
    Planner,
    Refused,
    append,
    entry_id,
    expire_due,
    last_seq,
)
from api.documents.credits import CreditEntry, EntryKind, Lot

EXPIRING_SOON = timedelta(days=7)


@dataclass(frozen=True)
class Balance:
    balance: int
    expiring_soon: int  # credits whose validity ends within EXPIRING_SOON


async def balance(user_id: PydanticObjectId, now: datetime) -> Balance:
    last = await expire_due(user_id, now)
    held = list(last.lots_after) if last else []
    soon = now + EXPIRING_SOON
    expiring = sum(x.remaining for x in held if x.expires_at and _aware(x.expires_at) <= soon)
    return Balance(lot_math.total(held), expiring)


def _aware(moment: datetime) -> datetime:
    # The database hands datetimes back naive (UTC).
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def grant(
    user_id: PydanticObjectId,
    *,
    payment_id: str,
    credits: int,
    pack_code: str,
    validity_days: int | None,
    now: datetime,
) -> Appended:
    cause = f"grant:{payment_id}"
    expires = now + timedelta(days=validity_days) if validity_days else None

    def plan(held: list[Lot]) -> Planned:
        return Planned(credits, [*held, Lot(lot=cause, remaining=credits, expires_at=expires)])

    change = Change(cause=cause, kind=EntryKind.GRANT, pack_code=pack_code)
    return await append(user_id, change, plan, now)


async def spend(
    user_id: PydanticObjectId, *, amount: int, key: str, reason: str | None, now: datetime
) -> Appended:
    """Raises `Refused` with the balance when it does not cover `amount`."""
    change = Change(cause=f"spend:{user_id}:{key}", kind=EntryKind.SPEND, reason=reason)
    return await append(user_id, change, _taking(amount), now)


async def adjust(
    user_id: PydanticObjectId, *, amount: int, key: str, reason: str, actor: str, now: datetime
) -> Appended:
    """Staff: credits added (amount > 0) or removed (< 0, refused beyond the balance)."""
    cause = f"adjust:{user_id}:{key}"
    change = Change(cause=cause, kind=EntryKind.ADJUSTMENT, reason=reason, actor=actor)
    if amount > 0:

        def add(held: list[Lot]) -> Planned:
            return Planned(amount, [*held, Lot(lot=cause, remaining=amount)])

        return await append(user_id, change, add, now)
    return await append(user_id, change, _taking(-amount), now)


def _taking(amount: int) -> Planner:
    def plan(held: list[Lot]) -> Planned:
        if lot_math.total(held) < amount:
            raise Refused(lot_math.total(held))
        return Planned(-amount, lot_math.take(held, amount))

    return plan


async def claw_back(
    user_id: PydanticObjectId,
    *,
    refund_id: str,
    amount: int,
    grant_cause: str,
    allow_shortfall: bool,
    actor: str | None,
    now: datetime,
) -> Appended:
    """Take `amount` back for a refund, from the refunded grant first. Refused when the balance
    is short, unless `allow_shortfall`: then what is there is taken and the rest recorded."""

    def plan(held: list[Lot]) -> Planned:
        have = lot_math.total(held)
        if have < amount and not allow_shortfall:
            raise Refused(have)
        taken = min(have, amount)
        after = lot_math.take(held, taken, first=grant_cause)
        return Planned(-taken, after, shortfall=amount - taken)

    change = Change(cause=f"clawback:{refund_id}", kind=EntryKind.CLAWBACK, actor=actor)
    return await append(user_id, change, plan, now)


async def reverse_clawback(
    user_id: PydanticObjectId, *, refund_id: str, clawback: CreditEntry, now: datetime
) -> Appended:
    """Give back what `clawback` took (not its shortfall: that was never taken), once per
    refund. Each part goes back as a lot of its own that ends when the lot it was taken from
    ends, so the user holds what they would have held had the refund never been made: read from
    the entry before the clawback, whose lots the clawback was planned on (entries have no gaps).
    A part whose lot has ended meanwhile expires at once, as it would have."""
    before = await CreditEntry.get(entry_id(user_id, clawback.seq - 1))
    held_before = list(before.lots_after) if before else []
    cause = f"clawback_reversed:{refund_id}"
    back = [
        part.model_copy(update={"lot": f"{cause}:{part.lot}"})
        for part in lot_math.taken(held_before, list(clawback.lots_after))
    ]
    assert lot_math.total(back) == -clawback.amount, "the lots before the clawback explain it"

    def plan(held: list[Lot]) -> Planned:
        return Planned(lot_math.total(back), [*held, *back])

    change = Change(cause=cause, kind=EntryKind.CLAWBACK_REVERSED)
    return await append(user_id, change, plan, now)


async def history(
    user_id: PydanticObjectId, *, first: int, before_seq: int | None
) -> list[CreditEntry]:
    """Newest first, `first` entries older than `before_seq` (the cursor), read by `_id`."""
    top = await last_seq(user_id)
    if before_seq is not None:
        top = min(top, before_seq - 1)
    ids = [entry_id(user_id, seq) for seq in range(top, max(top - first, 0), -1)]
    found = await CreditEntry.find({"_id": {"$in": ids}}).to_list()
    return sorted(found, key=lambda e: -e.seq)
