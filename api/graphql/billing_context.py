"""Small helpers resolvers share: the billing dependencies and the signed-in user."""

from __future__ import annotations

from api.billing.deps import Billing
from api.documents import User
from api.graphql.context import Info
from api.graphql.errors import UNAUTHENTICATED, coded_error


def billing_of(info: Info) -> Billing:
    return info.context.services.billing


async def signed_in_user(info: Info) -> User:
    """The viewer; guards run first, so reaching here anonymous is a bug, reported as such."""
    user = await info.context.viewer()
    if user is None:
        raise coded_error("Sign in to do this.", UNAUTHENTICATED)
    return user
