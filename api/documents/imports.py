"""GitHub import requests, queued here for the product's importer to pick up."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel


class ImportStatus(StrEnum):
    QUEUED = "queued"
    IMPORTING = "importing"
    IMPORTED = "imported"
    FAILED = "failed"


class GithubImport(Document):
    """One request to import a repository.

    `status` starts `queued`; the importer moves it to `importing`, then `imported` or `failed`.
    `open_key` is "<user id>:<owner>/<repo>" (lowercase, as GitHub compares names) while the
    request is queued, under a unique index, so a double click queues one request. The importer
    sets it to "taken:<id>" when it picks the request up, so the repository can be queued again.
    """

    user_id: PydanticObjectId
    repository_url: str
    owner: str
    repository: str
    status: ImportStatus
    open_key: str
    requested_at: datetime

    class Settings:
        name = "github_imports"
        indexes = [
            IndexModel([("open_key", ASCENDING)], name="open_key_unique", unique=True),
            IndexModel([("user_id", ASCENDING), ("requested_at", DESCENDING)], name="user_history"),
        ]
