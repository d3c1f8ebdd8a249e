"""Staff grants: a per-user ledger of grants and revocations, and the live one copied to `User`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING, IndexModel


class GrantEntryKind(StrEnum):
    GRANT = "grant"
    REVOKE = "revoke"


class GrantEntry(Document):
    """Entry `seq` of a user's grant ledger, never changed once written. `_id` is
    `<user id>:<seq>`, so of two admins writing entry n+1 one insert wins (FerretDB's conditional
    updates are not atomic). A grant's id is its entry's `_id`; a revocation is always the entry
    right after the grant it ends (`revokes`), so the newest entry says whether a grant is live."""

    id: str  # type: ignore[assignment]
    user_id: PydanticObjectId
    seq: int  # 1, 2, ... per user
    kind: GrantEntryKind
    plan_code: str  # the granted plan (a revocation repeats its grant's)
    until: datetime  # the grant's end; a revocation: when it was revoked
    reason: str
    actor: str  # the staff member's token subject
    revokes: str | None = None  # a revocation: the grant's id
    at: datetime

    class Settings:
        name = "access_grant_entries"
        indexes = [IndexModel([("user_id", ASCENDING), ("seq", DESCENDING)], name="user_seq")]


class LiveGrant(BaseModel):
    """The user's grant as of their ledger's newest entry, kept on `User` so that deciding access
    reads nothing more than the user document each request reads already."""

    id: str
    seq: int
    plan_code: str
    until: datetime
    reason: str
