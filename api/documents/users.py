"""Users, one per token subject, created on first sight."""

from __future__ import annotations

from datetime import datetime

from beanie import Document
from pymongo import ASCENDING, IndexModel

from api.documents.grants import LiveGrant


class User(Document):
    subject: str
    email: str | None = None
    created_at: datetime
    # A staff grant (`grantAccess`), None once revoked; expired ones stay until the next entry.
    # Only `api.billing.grants` writes it, from the grant ledger.
    grant: LiveGrant | None = None

    class Settings:
        name = "users"
        indexes = [IndexModel([("subject", ASCENDING)], name="subject_unique", unique=True)]
