"""The roles a caller holds. Derived for each request from the token and the user's plan, never
stored: a role nobody has to remember to revoke cannot be left behind.

Each catalog plan is a role named by its code (`free`, `pro`, ...); the catalog's first plan is
the one every signed-in user holds without a database read.
"""

from __future__ import annotations

from collections.abc import Iterable

from api.identity.tokens import STAFF_ROLES, Principal

ANONYMOUS = "anonymous"
SUPPORT = "support"
ADMIN = "admin"


def known_roles(plans: Iterable[str]) -> frozenset[str]:
    """Every role a policy may name: anonymous, the staff roles, and one per catalog plan."""
    return frozenset({ANONYMOUS}) | STAFF_ROLES | frozenset(plans)


def base_roles(principal: Principal | None, default_plan: str) -> frozenset[str]:
    """Every role that needs no database read: `anonymous`, or the default plan and the token's
    staff roles. A sold plan's role is added separately (see `Caller`): it needs the user's grant.
    """
    if principal is None:
        return frozenset({ANONYMOUS})
    return frozenset({default_plan}) | (principal.staff_roles & STAFF_ROLES)
