"""The viewer's plan change in flight, if any: the open claim, found by its unique `open_key`."""

from __future__ import annotations

from beanie import PydanticObjectId

from api.documents import PlanChange


async def pending_change(user_id: PydanticObjectId) -> PlanChange | None:
    """The user's one change asked and not yet applied, cancelled or failed; None if none.
    One read on the `open_key` unique index; the state, not the key, says it is in flight."""
    change = await PlanChange.find_one({"open_key": str(user_id)})
    return change if change is not None and change.in_flight else None
