"""All or nothing for mutation documents: every root field is admitted before any of them runs.

graphql-core runs a mutation's root fields one after another, each behind its own guard, so
`mutation { a: upgrade(...) b: refundPayment(...) }` by a free user would run `a` before `b` is
refused. `GatedExecutor` first decides the guard of every root field the document selects
(fragments, aliases and `@skip`/`@include` already resolved by graphql-core), then spends the
rate-limit budget of each; the first refusal answers the whole operation (`data: null`, that
field's error) and no resolver runs. Queries pass straight through: one comparison.

Budget taken for the fields before a refused one is not given back: it was asked for, as a
retry would ask again (and a slot given back would leave a hole in the window's slots 1..n,
which `SlotLimiter` relies on). Authorization is decided for every field before any budget is
spent, so a denied document spends none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    OperationType,
    located_error,
)
from graphql.execution.collect_fields import DeferUsage, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from api.authz.caller import Verdict
from api.graphql.context import Context
from api.graphql.errors import rate_limited
from api.graphql.field_plans import PlannedExecutor
from api.graphql.guards import Guard, denial

# Where Strawberry keeps, on a GraphQL type or field, its own definition of it.
DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


class RootField(NamedTuple):
    response_name: str
    nodes: list[FieldNode]
    guard: Guard


class GatedExecutor(PlannedExecutor):
    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        if self.operation.operation is not OperationType.MUTATION:
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
        return self._admitted_then_run(
            root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    async def _admitted_then_run(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> dict[str, Any]:
        # A GraphQLError raised here becomes the operation's only error, with `data: null`.
        await admit(self.context_value, root_fields(root_type, grouped_field_set))
        result = super().execute_collected_root_fields(
            root_type, root_value, grouped_field_set, serially, new_defer_usages
        )
        return result if isinstance(result, dict) else await result


def root_fields(root_type: GraphQLObjectType, grouped: GroupedFieldSet) -> list[RootField]:
    """Each selected root field with its guard, in the document's order (`__typename` has none,
    and a field without a guard is public: tests/test_guards.py sees there are none)."""
    found = []
    for response_name, details in grouped.items():
        nodes = [detail.node for detail in details]
        definition = root_type.fields.get(nodes[0].name.value)
        field = definition.extensions.get(DEFINITION) if definition else None
        if isinstance(field, StrawberryField):
            guards = [e for e in field.extensions if isinstance(e, Guard)]
            if guards:
                found.append(RootField(response_name, nodes, guards[0]))
    return found


async def admit(context: Context, fields: list[RootField]) -> None:
    """Raises the first refusal: a denial before any budget is spent, then a spent budget."""
    caller = context.caller
    for field in fields:
        can = field.guard.can
        verdict = await caller.verdict(can.obj, can.act)
        if verdict is not Verdict.ALLOWED:
            raise _at(field, denial(verdict, can.obj, can.act, caller.authorizer))
    who = _who(context)
    for field in fields:
        if field.guard.limit is None:
            continue
        limited = await context.services.budgets.take(field.guard.limit, who)
        if limited is not None:
            context.response.headers["Retry-After"] = str(limited.retry_after)
            raise _at(field, rate_limited(limited.retry_after))


def _who(context: Context) -> str:
    """Whose budget: the user's; an address's only if a policy ever lets anonymous mutate."""
    if context.principal is not None:
        return context.principal.subject
    client = context.request.client
    return f"address:{client.host if client else 'unknown'}"


def _at(field: RootField, error: GraphQLError) -> GraphQLError:
    return located_error(error, field.nodes, [field.response_name])
