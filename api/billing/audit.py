"""Reading the audit log of access: every change of a user's `access_until`, newest first."""

from __future__ import annotations

from beanie import PydanticObjectId, SortDirection

from api.documents import AccessChange

MAX_CHANGES = 100


async def access_changes(user_id: PydanticObjectId, *, first: int) -> list[AccessChange]:
    newest_first = [("at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)]
    return await AccessChange.find({"user_id": user_id}).sort(newest_first).limit(first).to_list()
