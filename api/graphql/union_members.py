"""Which member of a union an answer is, told by its Python class in one lookup.

Strawberry's type resolver for a union looks for a `strawberry.cast`, then walks the union's
members (and, failing those, every type of the schema) asking each whether it implements the
answer: about 3 µs of a `canUse`, whose result is a union. Where every member is a plain
(non-generic) Strawberry type, the class of an answer that was not cast names its member
directly; anything else (a cast, a subclass, a generic member) goes to Strawberry's resolver.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLResolveInfo, GraphQLUnionType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import get_strawberry_type_cast

# Where Strawberry keeps, on a GraphQL type or field, its own definition of it.
DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


def install(schema: strawberry.Schema) -> list[str]:
    """Gives every union of plain members its lookup; the names of the unions it gave one to."""
    installed = []
    for type_ in schema._schema.type_map.values():
        if isinstance(type_, GraphQLUnionType) and type_.resolve_type is not None:
            members = _members(type_)
            if members is not None:
                type_.resolve_type = _by_class(members, type_.resolve_type)
                installed.append(type_.name)
    return installed


def _members(union: GraphQLUnionType) -> dict[type, str] | None:
    members: dict[type, str] = {}
    for member in union.types:
        definition = member.extensions.get(DEFINITION)
        if not isinstance(definition, StrawberryObjectDefinition):
            return None
        if definition.is_graphql_generic or definition.concrete_of is not None:
            return None  # a generic or a specialization of one: Strawberry tells them apart
        if definition.origin in members:
            return None
        members[definition.origin] = member.name
    return members


def _by_class(members: dict[type, str], strawberrys: Any) -> Any:
    def resolve_type(root: Any, info: GraphQLResolveInfo[Any], union: Any) -> Any:
        if get_strawberry_type_cast(root) is None:
            name = members.get(type(root))
            if name is not None:
                return name
        return strawberrys(root, info, union)

    return resolve_type
