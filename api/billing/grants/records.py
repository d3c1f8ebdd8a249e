"""The access audit log's record of a grant or revocation: who, why, and access before/after."""

from __future__ import annotations

import contextlib

from pymongo.errors import DuplicateKeyError

from api.documents import AccessChange, GrantEntry, GrantEntryKind


async def record(entry: GrantEntry, granted: GrantEntry | None) -> None:
    """`granted`: for a revocation, the grant it ends. Keyed by the entry, so written once."""
    revoking = entry.kind is GrantEntryKind.REVOKE and granted is not None
    change = AccessChange(
        id=f"grant:{entry.id}",
        user_id=entry.user_id,
        razorpay_subscription_id=None,
        before=granted.until if revoking and granted else None,
        after=entry.until,
        reason=entry.reason,
        source=f"{'revokeGrant' if revoking else 'grantAccess'} ({entry.plan_code})",
        at=entry.at,
        grant_id=granted.id if revoking and granted else entry.id,
        actor=entry.actor,
    )
    with contextlib.suppress(DuplicateKeyError):
        await change.insert()
