"""The user document's copy of their ledger's newest entry, converged after every write.

Two writers may set `User.grant` in either order, so each one, after its entry, writes what the
ledger's newest entry says (not its own) and re-reads until the two agree: whoever writes last
has seen the newest entry, so the copy ends up right (`api.billing.convergence`).
"""

from __future__ import annotations

from beanie import PydanticObjectId, SortDirection

from api.billing.convergence import Settled, until_settled
from api.documents import GrantEntry, GrantEntryKind, LiveGrant, User


async def newest(user_id: PydanticObjectId) -> GrantEntry | None:
    return (
        await GrantEntry.find({"user_id": user_id})
        .sort([("seq", SortDirection.DESCENDING)])
        .first_or_none()
    )


def live_grant_of(entry: GrantEntry | None) -> LiveGrant | None:
    if entry is None or entry.kind is not GrantEntryKind.GRANT:
        return None
    return LiveGrant(
        id=entry.id,
        seq=entry.seq,
        plan_code=entry.plan_code,
        until=entry.until,
        reason=entry.reason,
    )


async def settle_user(user_id: PydanticObjectId) -> None:
    async def one_round() -> Settled[None] | None:
        wanted = live_grant_of(await newest(user_id))
        user = await User.get(user_id)
        if user is None or user.grant == wanted:
            return Settled(None)
        # Only the grant: nothing else of the user document is this writer's to overwrite.
        await user.set({"grant": wanted.model_dump() if wanted else None})
        return None

    await until_settled(one_round, what=f"grant of user {user_id}")
