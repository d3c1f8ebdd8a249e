"""Users, one per token subject, created on first sight."""

from __future__ import annotations

from datetime import datetime

from beanie import Document
from pymongo import ASCENDING, IndexModel


class User(Document):
    subject: str
    email: str | None = None
    created_at: datetime

    class Settings:
        name = "users"
        indexes = [IndexModel([("subject", ASCENDING)], name="subject_unique", unique=True)]
