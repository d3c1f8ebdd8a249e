"""The user behind a verified token, created the first time its subject is seen."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from api.clock import Clock
from api.documents import User
from api.identity.tokens import Principal


async def user_for(principal: Principal, clock: Clock) -> User:
    """One document per subject, even when a subject's first requests arrive together.

    The unique index on `subject` decides: the first insert wins and every other request reads
    the winner's document (a find-then-insert alone would race).
    """
    existing = await User.find_one(User.subject == principal.subject)
    if existing is not None:
        return existing
    user = User(subject=principal.subject, email=principal.email, created_at=clock.now())
    try:
        await user.insert()
    except DuplicateKeyError:
        winner = await User.find_one(User.subject == principal.subject)
        if winner is None:  # pragma: no cover - the index said it exists
            raise
        return winner
    return user
