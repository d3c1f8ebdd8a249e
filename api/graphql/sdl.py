"""The schema as SDL, for `python -m api schema` and the committed `schema.graphql`."""

from __future__ import annotations

import strawberry

ROOTS = ("query", "mutation", "subscription")


def printed_schema(schema: strawberry.Schema) -> str:
    """The SDL with its `schema { … }` block, always.

    graphql-core (and so strawberry) leaves the block out when the root types have the default
    names. A reader of such SDL (graphql-js, graphql-core, code generators) then takes any object
    type named `Subscription` as the subscription root, and ours is the billing subscription.
    """
    printed = str(schema)
    if printed.startswith("schema {") or "\nschema {" in printed:
        return printed
    graphql_schema = schema._schema
    roots = ((operation, getattr(graphql_schema, f"{operation}_type")) for operation in ROOTS)
    block = "".join(f"  {operation}: {root.name}\n" for operation, root in roots if root)
    return f"schema {{\n{block}}}\n\n{printed}"
