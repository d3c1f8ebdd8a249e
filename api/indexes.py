"""Creating each document's declared indexes, the ones that are missing, one per command.

Beanie's own index step re-sends every declared index on each start. FerretDB v1.24.2 panics
("slice bounds out of range") on a createIndexes naming two or more indexes that already exist,
so a restart against an existing database would fail. Creating only what is missing, one at a
time, behaves the same on MongoDB and on FerretDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from beanie import Document
from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase


async def ensure_indexes(
    database: AsyncDatabase[dict[str, Any]], documents: Sequence[type[Document]]
) -> None:
    for document in documents:
        collection = database[document.get_collection_name()]
        existing = set(await collection.index_information())
        for index in _declared(document):
            if index.document["name"] not in existing:
                await collection.create_indexes([index])


def _declared(document: type[Document]) -> list[IndexModel]:
    settings = getattr(document, "Settings", None)
    indexes: list[IndexModel] = list(getattr(settings, "indexes", []))
    for index in indexes:
        if "name" not in index.document:
            raise ValueError(
                f"{document.__name__}: give every index a name, so restarts can find it"
            )
    return indexes
