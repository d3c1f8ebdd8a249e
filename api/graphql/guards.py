"""`guard(object, action)`: the one guard, declared on the field it protects.

The policy (`policies/`) says which roles hold the permission; `Caller` decides per request. A
denial is a GraphQL error with a stable `extensions.code`, raised before the resolver runs, so a
denied mutation changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location
from strawberry.types.base import StrawberryObjectDefinition

from api.authz.caller import Caller, Verdict
from api.authz.features import feature_code
from api.authz.policy import Authorizer
from api.graphql.context import Info
from api.graphql.errors import FORBIDDEN, UNAUTHENTICATED, UPGRADE_REQUIRED, coded_error
from api.ratelimit import Budget

if TYPE_CHECKING:
    from strawberry.extensions.field_extension import (
        AsyncExtensionResolver,
        SyncExtensionResolver,
    )


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="can",
    description="The caller needs this permission; policies/policy.csv says which roles have it.",
)
class CanDirective:
    permission: str


class Can(BasePermission):
    """Allowed, or raises the denial: a permission object is shared by every request, so it must
    not carry a request's message the way `BasePermission.message` would."""

    def __init__(self, obj: str, act: str) -> None:
        self.obj = obj
        self.act = act
        self._directive = CanDirective(permission=f"{obj}:{act}")

    @property
    def schema_directive(self) -> object:
        return self._directive

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool | Awaitable[bool]:
        caller = info.context.caller
        verdict = caller.settled(self.obj, self.act)
        if verdict is None:  # hangs on the caller's plan: one read, shared by the request
            return self._decide(caller)
        return self._check(verdict, caller.authorizer)

    async def _decide(self, caller: Caller) -> bool:
        return self._check(await caller.verdict(self.obj, self.act), caller.authorizer)

    def _check(self, verdict: Verdict, authorizer: Authorizer) -> bool:
        if verdict is not Verdict.ALLOWED:
            raise denial(verdict, self.obj, self.act, authorizer)
        return True


class Guard(PermissionExtension):
    """PermissionExtension for one `Can`. On a field that resolves synchronously, a decision that
    must first read the Pro grant defers the field (graphql-core awaits it) instead of failing.
    `limit`, on a mutation, is the budget each call spends (`api.graphql.gate` spends it)."""

    def __init__(self, can: Can, limit: Budget | None = None) -> None:
        super().__init__(permissions=[can])
        self.can = can
        self.limit = limit

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        allowed = self.can.has_permission(source, info, **kwargs)
        if isinstance(allowed, bool):
            return next_(source, info, **kwargs) if allowed else self._on_unauthorized(self.can)
        return self._deferred(allowed, next_, source, info, kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        # PermissionExtension's, for the one permission a guard holds: a verdict the request
        # knows already is not awaited.
        allowed = self.can.has_permission(source, info, **kwargs)
        if not isinstance(allowed, bool):
            allowed = await allowed
        if not allowed:
            return self._on_unauthorized(self.can)
        return await next_(source, info, **kwargs)

    async def _deferred(
        self,
        allowed: Awaitable[bool],
        next_: SyncExtensionResolver,
        source: Any,
        info: Info,
        kwargs: dict[str, Any],
    ) -> Any:
        if await allowed:
            return next_(source, info, **kwargs)
        return self._on_unauthorized(self.can)


def guard(obj: str, act: str, *, limit: Budget | None = None) -> Guard:
    """`extensions=[guard("payment", "refund")]` on a field: the caller needs payment:refund;
    with `limit=Budget.REFUND_PAYMENT` on a mutation, each call also spends that budget."""
    return Guard(Can(obj, act), limit)


def denial(verdict: Verdict, obj: str, act: str, authorizer: Authorizer) -> GraphQLError:
    """The error for a refusal; an upgrade names the cheapest plan that allows it."""
    permission = f"{obj}:{act}"
    if verdict is Verdict.UNAUTHENTICATED:
        return coded_error("Sign in to do this.", UNAUTHENTICATED)
    catalog = authorizer.catalog
    plan = catalog.plan(authorizer.cheapest_plan(obj, act) or "")
    if verdict is Verdict.UPGRADE_REQUIRED and plan is not None:
        feature = feature_code(obj, act)
        known = catalog.feature(feature) if feature else None
        name = known.name if known else "This"
        return coded_error(
            f"{name} needs {plan.name}: upgrade to use it.",
            UPGRADE_REQUIRED,
            feature=feature,
            plan=plan.code,
            permission=permission,
        )
    return coded_error("You may not do this.", FORBIDDEN, permission=permission)


def guards_of(schema: strawberry.Schema) -> dict[str, str | None]:
    """`Type.field` -> `object:action` for every field of every object type; None: unguarded."""
    found: dict[str, str | None] = {}
    for name, concrete in schema.schema_converter.type_map.items():
        definition = concrete.definition
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        for field in definition.fields:
            cans = [e.can for e in field.extensions if isinstance(e, Guard)]
            graphql_name = schema.config.name_converter.get_graphql_name(field)
            found[f"{name}.{graphql_name}"] = f"{cans[0].obj}:{cans[0].act}" if cans else None
    return found
