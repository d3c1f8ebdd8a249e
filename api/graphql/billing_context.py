"""Small helpers resolvers share: the billing dependencies, the signed-in user, user ids."""

from __future__ import annotations

import re

from beanie import PydanticObjectId

from api.billing.deps import Billing
from api.documents import User
from api.graphql.context import Info
from api.graphql.errors import UNAUTHENTICATED, bad_input, coded_error

OBJECT_ID = re.compile(r"[0-9a-f]{24}")


def billing_of(info: Info) -> Billing:
    return info.context.services.billing


async def signed_in_user(info: Info) -> User:
    """The viewer; guards run first, so reaching here anonymous is a bug, reported as such."""
    user = await info.context.viewer()
    if user is None:
        raise coded_error("Sign in to do this.", UNAUTHENTICATED)
    return user


def user_id_of(value: str) -> PydanticObjectId:
    """A user's id as `viewer { id }` gives it; anything else is refused before any read."""
    if not OBJECT_ID.fullmatch(value):
        raise bad_input("`userId` is not a user id.", argument="userId")
    return PydanticObjectId(value)
