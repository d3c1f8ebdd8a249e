"""GitHub import requests: validate the repository URL, queue the request once, list them.

This service only queues; the product's importer does the importing (see `GithubImport`).
Whether the caller may is the guard's to decide (`feature:github_import`), before anything here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId, SortDirection
from pymongo.errors import DuplicateKeyError

from api.documents import GithubImport
from api.documents.imports import ImportStatus

MAX_URL_LENGTH = 200
MAX_PAGE = 100
# GitHub's own rules: an owner is 1-39 of letters, digits, `-` (and `_` for managed users),
# not starting with `-`; a repository is 1-100 of letters, digits, `.`, `_`, `-`. Nothing after:
# no path, query, fragment, port, credentials or trailing slash; https and github.com only.
REPOSITORY_URL = re.compile(
    r"https://github\.com/(?P<owner>[A-Za-z0-9][A-Za-z0-9_-]{0,38})/(?P<name>[A-Za-z0-9._-]{1,100})"
)


@dataclass(frozen=True)
class Repository:
    owner: str
    name: str

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"

    @property
    def key(self) -> str:
        return f"{self.owner}/{self.name}".lower()


def parse_repository_url(text: str) -> Repository | None:
    if len(text) > MAX_URL_LENGTH:
        return None
    match = REPOSITORY_URL.fullmatch(text)
    if match is None or set(match["name"]) == {"."}:  # `.` and `..` are paths, not names
        return None
    return Repository(owner=match["owner"], name=match["name"])


async def request_import(
    user_id: PydanticObjectId, repository: Repository, now: datetime
) -> GithubImport:
    """Queue the import once: a repeat while it is queued returns the queued request."""
    open_key = f"{user_id}:{repository.key}"
    existing = await GithubImport.find_one(GithubImport.open_key == open_key)
    if existing is not None:
        return existing
    request = GithubImport(
        user_id=user_id,
        repository_url=repository.url,
        owner=repository.owner,
        repository=repository.name,
        status=ImportStatus.QUEUED,
        open_key=open_key,
        requested_at=now,
    )
    try:
        await request.insert()
    except DuplicateKeyError:  # the same click, twice at once: the first insert won
        winner = await GithubImport.find_one(GithubImport.open_key == open_key)
        if winner is None:  # pragma: no cover - the index said it exists
            raise
        return winner
    return request


async def imports_of(user_id: PydanticObjectId, *, first: int) -> list[GithubImport]:
    newest_first = [("requested_at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)]
    return await GithubImport.find({"user_id": user_id}).sort(newest_first).limit(first).to_list()
