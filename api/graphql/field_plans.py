"""Which subfields a selection collects, worked out once per document instead of per request.

graphql-core collects the subfields of every object it completes (fragments spread, aliases
merged, `@skip`/`@include` applied) and memoizes that for one request only. With no variables in
the operation the answer depends on the document and the object's type alone, so it is kept with
the cached document (`Prepared.subfields`) and reused by every request that sends that document:
about a tenth of what the GraphQL layer costs a `canUse`. An operation with variables, or with
`@defer`, collects as graphql-core does.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# (object type's name, ids of the document's field nodes) -> what they collect. The ids are
# stable because the dict lives exactly as long as the document that owns those nodes.
Subfields = dict[tuple[str, tuple[int, ...]], CollectedFields]


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, subfields: Subfields | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._subfields = None if self.operation.variable_definitions else subfields

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> CollectedFields:
        remembered = self._subfields
        if remembered is None or not _plain(field_details_list):
            return super().collect_subfields(return_type, field_details_list)
        key = (return_type.name, tuple(id(details.node) for details in field_details_list))
        found = remembered.get(key)
        if found is None:
            found = super().collect_subfields(return_type, field_details_list)
            if not found.new_defer_usages:
                remembered[key] = found
        return found


def _plain(field_details_list: FieldDetailsList) -> bool:
    return all(
        details.defer_usage is None and details.fragment_variable_values is None
        for details in field_details_list
    )
