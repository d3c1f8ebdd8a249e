"""Field guards. A denial raises a GraphQL error with a stable code and never runs the resolver."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from api.graphql.context import Info
from api.graphql.errors import FORBIDDEN, UNAUTHENTICATED


class IsAuthenticated(BasePermission):
    message = "Sign in to do this."
    error_extensions = {"code": UNAUTHENTICATED}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal is not None


class IsStaff(BasePermission):
    message = "Only support staff may do this."
    error_extensions = {"code": FORBIDDEN}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            self.message, self.error_extensions = "Sign in to do this.", {"code": UNAUTHENTICATED}
            return False
        return bool(principal.staff_roles & {"support", "admin"})
