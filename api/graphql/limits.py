"""Limits on a document's shape (depth and expanded size), checked in time linear in its text.

Each definition is walked once, without recursion, and each fragment's measure is computed once
from its own walk and the measures of the fragments it spreads, in dependency order. A spread
therefore costs one lookup however often the fragment is used, while the measure it adds counts
the fragment's full expansion: `fragment F0 { ...F1 ...F1 }` is twice F1, and a chain of 200 such
fragments is measured exactly (2^200, as a Python int) in microseconds.

A document over a limit aborts the validation (graphql-core's own mechanism for it): the other
rules never walk a document that is refused anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
)
from graphql.validation import ASTValidationRule
from graphql.validation.validate import ValidationAbortedError


class LimitCode(StrEnum):
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    QUERY_TOO_LONG = "QUERY_TOO_LONG"


@dataclass(frozen=True)
class DocumentLimits:
    # Depth as Strawberry's QueryDepthLimiter counted it: a field with a selection adds a level,
    # a leaf adds none (`{ plans { id } }` is 1 deep), introspection fields (`__schema`) none.
    max_depth: int
    # Fields selected once every fragment spread is replaced by the fragment, `__typename` and
    # introspection fields included; what the executor walks, before list sizes multiply it.
    max_cost: int


# The defaults of GRAPHQL_MAX_DEPTH and GRAPHQL_MAX_COST (api/settings.py), for schemas built
# outside the app (`python -m api schema`, benchmarks).
DEFAULT_LIMITS = DocumentLimits(max_depth=10, max_cost=500)


@dataclass(frozen=True)
class Measure:
    depth: int
    cost: int


@dataclass(frozen=True)
class Spread:
    fragment: str
    level: int | None  # None: inside an introspection field, whose depth does not count


@dataclass(frozen=True)
class OwnMeasure:
    """A definition measured without following its spreads, and the spreads it makes."""

    depth: int
    cost: int
    spreads: tuple[Spread, ...]

    def expanded(self, fragments: dict[str, Measure]) -> Measure:
        # A spread of a fragment not (yet) measured adds nothing: it is unknown or closes a
        # cycle, which KnownFragmentNamesRule and NoFragmentCyclesRule report.
        depth, cost = self.depth, self.cost
        for spread in self.spreads:
            found = fragments.get(spread.fragment)
            if found is None:
                continue
            cost += found.cost
            if spread.level is not None:
                depth = max(depth, spread.level + found.depth)
        return Measure(depth, cost)


def own_measure(selection_set: SelectionSetNode) -> OwnMeasure:
    depth = cost = 0
    spreads: list[Spread] = []
    stack: list[tuple[SelectionNode, int, bool]] = [
        (selection, 0, False) for selection in selection_set.selections
    ]
    while stack:
        node, level, hidden = stack.pop()
        if isinstance(node, FragmentSpreadNode):
            spreads.append(Spread(node.name.value, None if hidden else level))
            continue
        inner, nested = level, None
        if isinstance(node, FieldNode):
            cost += 1
            hidden = hidden or node.name.value.startswith("__")
            inner, nested = level + 1, node.selection_set
            if not hidden:
                depth = max(depth, inner if nested else level)
        elif isinstance(node, InlineFragmentNode):
            nested = node.selection_set
        if nested:
            stack.extend((child, inner, hidden) for child in nested.selections)
    return OwnMeasure(depth, cost, tuple(spreads))


def fragment_measures(document: DocumentNode) -> dict[str, Measure]:
    """Every fragment's expanded measure, each computed once, children before parents."""
    own = {
        definition.name.value: own_measure(definition.selection_set)
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    measures: dict[str, Measure] = {}
    for name in _dependencies_first(own):
        measures[name] = own[name].expanded(measures)
    return measures


def _dependencies_first(own: dict[str, OwnMeasure]) -> Iterator[str]:
    """Fragment names in post-order of their spreads; a spread back into the path is skipped."""
    done: set[str] = set()
    for root in own:
        if root in done:
            continue
        path = [(root, iter(own[root].spreads))]
        on_path = {root}
        while path:
            name, spreads = path[-1]
            child = next(
                (s.fragment for s in spreads if s.fragment in own and s.fragment not in done),
                None,
            )
            if child is None:
                path.pop()
                on_path.discard(name)
                done.add(name)
                yield name
            elif child not in on_path:
                path.append((child, iter(own[child].spreads)))
                on_path.add(child)


def operation_measures(document: DocumentNode) -> Iterator[tuple[OperationDefinitionNode, Measure]]:
    fragments = fragment_measures(document)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            yield definition, own_measure(definition.selection_set).expanded(fragments)


class LimitExceeded(ValidationAbortedError):
    """Raised from the rule, it ends the validation; graphql-core returns it as the error."""


def limit_errors(document: DocumentNode, limits: DocumentLimits) -> list[LimitExceeded]:
    errors: list[LimitExceeded] = []
    for operation, measure in operation_measures(document):
        name = f"Operation '{operation.name.value}'" if operation.name else "The operation"
        if measure.depth > limits.max_depth:
            errors.append(_too_deep(operation, name, measure.depth, limits.max_depth))
        if measure.cost > limits.max_cost:
            errors.append(_too_complex(operation, name, limits.max_cost))
    return errors


def _too_deep(
    operation: OperationDefinitionNode, name: str, depth: int, limit: int
) -> LimitExceeded:
    return LimitExceeded(
        f"{name} is {depth} levels deep; at most {limit} are allowed.",
        [operation],
        extensions={"code": LimitCode.QUERY_TOO_DEEP.value, "depth": depth, "maxDepth": limit},
    )


def _too_complex(operation: OperationDefinitionNode, name: str, limit: int) -> LimitExceeded:
    # The size itself is left out: it may have dozens of digits, more than a JSON client reads.
    return LimitExceeded(
        f"{name} selects more than {limit} fields once its fragments are expanded; split it"
        " into smaller operations.",
        [operation],
        extensions={"code": LimitCode.QUERY_TOO_COMPLEX.value, "maxCost": limit},
    )


def too_long(error: GraphQLError, max_tokens: int) -> GraphQLError:
    """The parser's refusal of a document past `max_tokens`, with this service's code; any other
    syntax error as it is. The parser says which it was only in its message."""
    if f"more than {max_tokens} tokens" not in error.message:
        return error
    return GraphQLError(
        f"The document has more than {max_tokens} tokens; split it into smaller operations.",
        source=error.source,
        positions=error.positions,
        extensions={"code": LimitCode.QUERY_TOO_LONG.value, "maxTokens": max_tokens},
    )


def limits_rule(limits: DocumentLimits) -> type[ASTValidationRule]:
    """The rule class for these limits; build it once per process, since the validation cache
    is keyed by the rule classes."""

    class DocumentLimitsRule(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            errors = limit_errors(node, limits)
            if errors:
                for error in errors[:-1]:
                    self.report_error(error)
                raise errors[-1]

    return DocumentLimitsRule
