"""`viewer`: who the caller is."""

from __future__ import annotations

import strawberry

from api.documents import User
from api.graphql.context import Info


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


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="The signed-in user, or null for an anonymous caller.")
    async def viewer(self, info: Info) -> Viewer | None:
        user = await info.context.viewer()
        if user is None or info.context.principal is None:
            return None
        return Viewer.of(user, info.context.principal.staff_roles)
