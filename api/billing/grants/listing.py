"""`accessGrants(userId)`: a user's staff grants, newest first, each with its revocation."""

from __future__ import annotations

from dataclasses import dataclass

from beanie import PydanticObjectId, SortDirection

from api.documents import GrantEntry, GrantEntryKind

MAX_GRANTS = 100


@dataclass(frozen=True)
class GrantView:
    grant: GrantEntry
    revocation: GrantEntry | None


async def grants_of(user_id: PydanticObjectId, *, first: int) -> list[GrantView]:
    # A revocation is the entry right after its grant: 2 * first entries hold `first` grants.
    entries = (
        await GrantEntry.find({"user_id": user_id})
        .sort([("seq", SortDirection.DESCENDING)])
        .limit(2 * first)
        .to_list()
    )
    ended = {e.revokes: e for e in entries if e.kind is GrantEntryKind.REVOKE}
    grants = [e for e in entries if e.kind is GrantEntryKind.GRANT]
    return [GrantView(g, ended.get(g.id)) for g in grants[:first]]
