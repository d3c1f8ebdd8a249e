"""Fields resolved without Strawberry's per-call machinery, where it would change nothing.

On every call Strawberry's resolver converts each argument (`convert_arguments`: a type dispatch
per argument), lets each field extension remap them, works out which of the resolver's
parameters want `self` or `info`, and chains the extensions with `functools.reduce`; a field
without a resolver goes through `get_result` to `getattr`. For a field whose arguments are
built-in scalars (nullable or not) and whose only extension is a guard, conversion is the
identity and nothing remaps, so the rest is worked out once, here, when the schema is built:
about a fifth of what the GraphQL layer costs a `canUse` (bench/layer.py). The guard runs as it
does under Strawberry (`Guard.resolve`, `Guard.resolve_async`); any other field keeps
Strawberry's resolver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

from api.graphql.guards import Guard

# Where Strawberry keeps, on a GraphQL type or field, its own definition of it.
DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF
PLAIN_SCALARS: frozenset[object] = frozenset({str, int, float, bool})

Resolve = Callable[..., Any]
RawInfo = GraphQLResolveInfo[Any]


def install(schema: strawberry.Schema) -> list[str]:
    """Gives every eligible field its direct resolver; the `Type.field` names it gave one to."""
    config = schema.config
    if config.default_resolver is not getattr:
        return []  # a field without a resolver reads the source some other way
    if schema.exception_handlers:
        return []  # Strawberry's resolver turns a handled exception into the field's answer
    installed = []
    for type_ in schema._schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, graphql_field in type_.fields.items():
            field = graphql_field.extensions.get(DEFINITION)
            if isinstance(field, StrawberryField) and eligible(field):
                graphql_field.resolve = direct(field, config)
                installed.append(f"{type_.name}.{name}")
    return installed


def eligible(field: StrawberryField) -> bool:
    """No extension but at most a guard, only plain scalar arguments, and a resolver (if any)
    that asks for nothing but `self`, `info` and those arguments."""
    if field.is_subscription or not all(_is_plain(a.type) for a in field.arguments):
        return False
    if any(not isinstance(e, Guard) for e in field.extensions) or len(field.extensions) > 1:
        return False
    resolver = field.base_resolver
    if resolver is None:
        return True
    if not callable(resolver.wrapped_func):  # a staticmethod or classmethod object
        return False
    return resolver.parent_parameter is None and resolver.root_parameter is None


def _is_plain(type_: object) -> bool:
    if isinstance(type_, StrawberryMaybe):
        return False  # Strawberry hands the resolver a given value as `Some(value)`
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    return type_ in PLAIN_SCALARS


def direct(field: StrawberryField, config: StrawberryConfig) -> Resolve:
    """The resolver graphql-core calls for `field`: Strawberry's `Info` (when the guard or the
    resolver needs it), the arguments under their Python names, the guard, then the field."""
    guards = [e for e in field.extensions if isinstance(e, Guard)]
    own = _own(field)
    if field.base_resolver is None and not guards:
        return own  # a plain field: the attribute, with nothing to build or check first
    python_names = {
        config.name_converter.from_argument(argument): argument.python_name
        for argument in field.arguments
    }
    info_class = config.info_class
    guarded = None
    if guards:
        guarded = guards[0].resolve_async if field.is_async else guards[0].resolve

    def resolve(source: Any, raw: RawInfo, **arguments: Any) -> Any:
        info = info_class(_raw_info=raw, _field=field)
        kwargs = {python_names[name]: value for name, value in arguments.items()}
        if guarded is None:
            return own(source, info, **kwargs)
        return guarded(own, source, info, **kwargs)

    return resolve


def _own(field: StrawberryField) -> Resolve:
    """What the field itself answers: its resolver's result, or (Strawberry's default resolver)
    the source's attribute of the field's name."""
    resolver = field.base_resolver
    if resolver is None:
        name = field.python_name
        return lambda source, _info: getattr(source, name)
    call = cast(Resolve, resolver.wrapped_func)
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    takes_self = resolver.self_parameter is not None

    def own(source: Any, info: Any, **kwargs: Any) -> Any:
        if info_name is not None:
            kwargs[info_name] = info
        return call(source, **kwargs) if takes_self else call(**kwargs)

    return own
