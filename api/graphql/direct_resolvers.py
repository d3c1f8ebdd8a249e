"""Guarded fields whose arguments are all plain scalars, resolved without Strawberry's per-call
argument machinery.

On every call Strawberry's resolver converts each argument (`convert_arguments`: a type dispatch
per argument), lets each field extension remap them, works out which of the resolver's
parameters want `self` or `info`, and chains the extensions with `functools.reduce`. For a field
whose arguments are built-in scalars (nullable or not), the conversion is the identity and the
guard remaps nothing, so all of that is worked out once, here, when the schema is built: about
a fifth of what the GraphQL layer costs a `canUse` (bench/layer.py). Every other field keeps
Strawberry's resolver; the guard runs the same way on both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

from api.graphql.guards import Guard

DEFINITION = "strawberry-definition"  # where Strawberry keeps a GraphQL field's own field
PLAIN_SCALARS: frozenset[object] = frozenset({str, int, float, bool})

Resolve = Callable[..., Awaitable[Any]]
RawInfo = GraphQLResolveInfo[Any]


def install(schema: GraphQLSchema, config: StrawberryConfig) -> list[str]:
    """Gives every eligible field its direct resolver; the `Type.field` names it gave one to."""
    installed = []
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, graphql_field in type_.fields.items():
            field = graphql_field.extensions.get(DEFINITION)
            if not isinstance(field, StrawberryField):
                continue
            if eligible(field):
                graphql_field.resolve = direct(field, config)
                installed.append(f"{type_.name}.{name}")
            elif field.is_basic_field and config.default_resolver is getattr:
                graphql_field.resolve = attribute(field.python_name)
    return installed


def eligible(field: StrawberryField) -> bool:
    """An async resolver taking `self` and `info`, one guard, and only plain scalar arguments."""
    resolver = field.base_resolver
    if resolver is None or not field.is_async or field.is_subscription:
        return False
    if not callable(resolver.wrapped_func):  # a staticmethod or classmethod object
        return False
    if resolver.parent_parameter or resolver.root_parameter or not resolver.info_parameter:
        return False
    guards = [e for e in field.extensions if isinstance(e, Guard)]
    if len(guards) != 1 or len(field.extensions) != 1:
        return False
    return all(_is_plain(argument.type) for argument in field.arguments)


def _is_plain(type_: object) -> bool:
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    return type_ in PLAIN_SCALARS


def attribute(name: str) -> Callable[[Any, RawInfo], Any]:
    """A field with no resolver: Strawberry's default resolver is `getattr` on the source."""

    def resolve(source: Any, _info: RawInfo) -> Any:
        return getattr(source, name)

    return resolve


def direct(field: StrawberryField, config: StrawberryConfig) -> Resolve:
    """The resolver graphql-core calls for `field`: Strawberry's `Info`, the arguments under
    their Python names, the guard, then the field's own resolver."""
    resolver = field.base_resolver
    assert resolver is not None and resolver.info_parameter is not None
    (guard,) = (e for e in field.extensions if isinstance(e, Guard))
    call = cast(Callable[..., Awaitable[Any]], resolver.wrapped_func)
    info_name = resolver.info_parameter.name
    takes_self = resolver.self_parameter is not None
    python_names = {
        config.name_converter.from_argument(argument): argument.python_name
        for argument in field.arguments
    }
    info_class = config.info_class

    async def then(source: Any, info: Any, **kwargs: Any) -> Any:
        kwargs[info_name] = info
        return await (call(source, **kwargs) if takes_self else call(**kwargs))

    async def resolve(source: Any, raw: RawInfo, **arguments: Any) -> Any:
        info = info_class(_raw_info=raw, _field=field)
        kwargs = {python_names[name]: value for name, value in arguments.items()}
        return await guard.resolve_async(then, source, info, **kwargs)

    return resolve
