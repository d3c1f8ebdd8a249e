"""`viewer`: who the caller is, and what they may do."""

from __future__ import annotations

import strawberry

from api.documents import User
from api.graphql.context import Info
from api.graphql.guards import guard


@strawberry.type(description="The signed-in user.")
class Viewer:
    id: strawberry.ID
    email: str | None
    staff_roles: list[str] = strawberry.field(
        description="Staff roles from the token: support, admin."
    )

    @classmethod
    def of(cls, user: User, staff_roles: frozenset[str]) -> Viewer:
        return cls(
            id=strawberry.ID(str(user.id)), email=user.email, staff_roles=sorted(staff_roles)
        )

    @strawberry.field(
        description="What the viewer may do now, as object:action (e.g. feature:github_import), "
        "for display only: the API decides on every field."
    )
    async def permissions(self, info: Info) -> list[str]:
        return [str(permission) for permission in await info.context.caller.permissions()]


@strawberry.type
class ViewerQuery:
    @strawberry.field(
        description="The signed-in user, or null for an anonymous caller.",
        extensions=[guard("viewer", "read")],
    )
    async def viewer(self, info: Info) -> Viewer | None:
        user = await info.context.viewer()
        if user is None or info.context.principal is None:
            return None
        return Viewer.of(user, info.context.principal.staff_roles)
