"""Granting and revoking: each an insert of the user's next ledger entry, which one writer wins.

A writer that loses entry n+1 reads the winner and decides again: of two grants at once, the
second finds a live grant (GRANT_EXISTS); of two revocations, the second finds it revoked
(GRANT_NOT_LIVE). Nothing is decided by a conditional update (not atomic on FerretDB).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from api.billing.convergence import MAX_ROUNDS, NotConverged
from api.billing.deps import Billing
from api.billing.grants.on_user import newest, settle_user
from api.billing.grants.records import record
from api.billing.grants.rules import grantable, live
from api.billing.outcomes import FailureCode, Problem, not_found
from api.documents import GrantEntry, GrantEntryKind, User

GRANT_ID = re.compile(r"([0-9a-f]{24}):([1-9][0-9]{0,8})")
GRANT_EXISTS = Problem(
    FailureCode.GRANT_EXISTS,
    "This user has a live grant already: revoke it first (revokeGrant), then grant again.",
)
GRANT_NOT_LIVE = Problem(
    FailureCode.GRANT_NOT_LIVE, "This grant has ended already (revoked, expired or replaced)."
)


@dataclass(frozen=True)
class GrantRequest:
    user_id: PydanticObjectId
    plan: str
    until: datetime
    reason: str
    actor: str  # the admin's token subject


@dataclass(frozen=True)
class RevokeRequest:
    grant_id: str
    reason: str
    actor: str


@dataclass(frozen=True)
class Granted:
    entry: GrantEntry  # the grant (for a revocation too: the grant it ended)
    revocation: GrantEntry | None = None


async def grant(billing: Billing, asked: GrantRequest) -> Granted | Problem:
    now = billing.now()
    plan = grantable(billing.catalog, asked.plan, asked.until, now)
    if isinstance(plan, Problem):
        return plan
    if await User.get(asked.user_id) is None:
        return not_found("user")
    for _ in range(MAX_ROUNDS):
        tip = await newest(asked.user_id)
        if tip is not None and tip.kind is GrantEntryKind.GRANT and live(tip.until, now):
            await settle_user(asked.user_id)  # a writer that died before its copy, finished
            return GRANT_EXISTS
        entry = _entry(asked, tip, plan.code, now)
        if await _won(entry):
            return Granted(entry)
    raise NotConverged(f"grant ledger of user {asked.user_id}: {MAX_ROUNDS} entries lost")


async def revoke(billing: Billing, asked: RevokeRequest) -> Granted | Problem:
    now = billing.now()
    parsed = GRANT_ID.fullmatch(asked.grant_id)
    granted = await GrantEntry.get(asked.grant_id) if parsed else None
    if granted is None or granted.kind is not GrantEntryKind.GRANT:
        return not_found("grant")
    for _ in range(MAX_ROUNDS):
        tip = await newest(granted.user_id)
        if tip is None or tip.id != granted.id or not live(granted.until, now):
            await settle_user(granted.user_id)
            return GRANT_NOT_LIVE
        ending = GrantEntry(
            id=f"{granted.user_id}:{tip.seq + 1}",
            user_id=granted.user_id,
            seq=tip.seq + 1,
            kind=GrantEntryKind.REVOKE,
            plan_code=granted.plan_code,
            until=now,
            reason=asked.reason,
            actor=asked.actor,
            revokes=granted.id,
            at=now,
        )
        if await _won(ending, granted):
            return Granted(granted, ending)
    raise NotConverged(f"grant ledger of user {granted.user_id}: {MAX_ROUNDS} entries lost")


def _entry(asked: GrantRequest, tip: GrantEntry | None, plan: str, now: datetime) -> GrantEntry:
    seq = tip.seq + 1 if tip is not None else 1
    return GrantEntry(
        id=f"{asked.user_id}:{seq}",
        user_id=asked.user_id,
        seq=seq,
        kind=GrantEntryKind.GRANT,
        plan_code=plan,
        until=asked.until,
        reason=asked.reason,
        actor=asked.actor,
        at=now,
    )


async def _won(entry: GrantEntry, granted: GrantEntry | None = None) -> bool:
    try:
        await entry.insert()
    except DuplicateKeyError:
        return False
    # Shielded: cancelled between the entry and its copy and audit record, nobody would write
    # them (a later grant or revocation of this user would copy, but never audit).
    await asyncio.shield(_follow(entry, granted))
    return True


async def _follow(entry: GrantEntry, granted: GrantEntry | None) -> None:
    await record(entry, granted)
    await settle_user(entry.user_id)
