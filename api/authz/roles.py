"""The roles a caller holds. Derived for each request from the token and the Pro grant, never
stored: a role nobody has to remember to revoke cannot be left behind."""

from __future__ import annotations

from api.identity.tokens import STAFF_ROLES, Principal

ANONYMOUS = "anonymous"
FREE = "free"
PRO = "pro"
SUPPORT = "support"
ADMIN = "admin"

KNOWN_ROLES: frozenset[str] = frozenset({ANONYMOUS, FREE, PRO, SUPPORT, ADMIN})


def base_roles(principal: Principal | None) -> frozenset[str]:
    """Every role that needs no database read: `anonymous`, or `free` and the token's staff roles.

    `pro` is added separately (see `Caller`), because it needs the user's grant.
    """
    if principal is None:
        return frozenset({ANONYMOUS})
    return frozenset({FREE}) | (principal.staff_roles & STAFF_ROLES)
