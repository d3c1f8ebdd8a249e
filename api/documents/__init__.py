"""Beanie documents, one module per collection; `DOCUMENTS` is what init_beanie receives."""

from __future__ import annotations

from beanie import Document

from api.documents.users import User

DOCUMENTS: list[type[Document]] = [User]

__all__ = ["DOCUMENTS", "User"]
