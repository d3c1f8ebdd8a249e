"""How the schema runs one operation: parse and validate once per distinct document, execute,
then log, strip and mask the errors, with no per-request objects beyond the execution itself.

Strawberry's extensions did the same jobs (MaxTokensLimiter, ParserCache, ValidationCache,
AddValidationRules, MaskErrors), but each request built five extension objects and wrapped every
hook in context managers: about 170 µs of a `canUse` request's 200 µs in-process. Here the
document cache is keyed by the query text (not a deep hash of the parsed AST), and a document's
validation errors are computed once per process, as the validation cache did.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import lru_cache
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    execute,
    get_operation_ast,
    parse,
)
from graphql import (
    ExecutionResult as CoreResult,
)
from graphql.validation import ASTValidationRule
from strawberry.exceptions import MissingQueryError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_operation_type

from api import metrics
from api.billing.convergence import NotConverged
from api.causes import caused_by
from api.graphql.field_plans import PlannedExecutor, Subfields
from api.graphql.limits import too_long
from api.outage import SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE, is_database_outage

INVALID = "invalid"
# `extensions.code`s are set by this service's code alone (never copied from a request).
ERROR_CODE = re.compile(r"[A-Z][A-Z_]{1,39}")
MAX_TOKENS = 2000  # a longer document is refused while it is parsed
CACHED_DOCUMENTS = 256  # distinct documents kept parsed and validated
MASKED_MESSAGE = "Unexpected error."
BUSY = "BUSY"
BUSY_MESSAGE = "Other requests changed the same records at the same moment; try again."


@dataclass(frozen=True, slots=True)
class OperationRequest:
    """What a request asks to run: Strawberry's `execute` arguments, named once."""

    query: str | None
    variables: dict[str, Any] | None
    context: Any
    root: Any
    operation_name: str | None
    allowed: Collection[OperationType]
    extensions: dict[str, Any] | None


@dataclass(frozen=True)
class Prepared:
    """A document parsed and validated, or the errors that stop it before execution; with what
    its selections collect, filled in as requests execute it (`field_plans`)."""

    document: DocumentNode | None
    errors: list[GraphQLError]
    subfields: Subfields = field(default_factory=dict)


def is_unavailable(error: GraphQLError) -> bool:
    """The database could not be reached: not a bug, and the caller may try again."""
    return is_database_outage(error.original_error)


def is_contended(error: GraphQLError) -> bool:
    """Concurrent writers kept a record from settling: not a bug, and a retry will settle it."""
    return caused_by(error.original_error, NotConverged)


def is_unexpected(error: GraphQLError) -> bool:
    """Bugs are masked; deliberate GraphQL errors (auth, validation) keep their message and code."""
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, GraphQLError)
        and not is_database_outage(original)
        and not caused_by(original, NotConverged)
    )


def shown(error: GraphQLError) -> GraphQLError:
    """What the caller sees of an error: an outage says so, as does contention, a bug says where
    it happened but never what it was, and a deliberate error is shown as it is."""
    if is_unavailable(error):
        return _replaced(error, UNAVAILABLE_MESSAGE, {"code": SERVICE_UNAVAILABLE})
    if is_contended(error):
        return _replaced(error, BUSY_MESSAGE, {"code": BUSY})
    if is_unexpected(error):
        return _replaced(error, MASKED_MESSAGE, None)
    return error


def answers_unavailable(result: ExecutionResult) -> bool:
    """Whether the caller should get HTTP 503: some part of the answer needed the database."""
    return any(
        (error.extensions or {}).get("code") == SERVICE_UNAVAILABLE for error in result.errors or ()
    )


def _replaced(error: GraphQLError, message: str, extensions: dict[str, Any] | None) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


class Operations:
    """Runs operations against one schema, with its rules and its executor."""

    def __init__(
        self,
        schema: GraphQLSchema,
        rules: tuple[type[ASTValidationRule], ...],
        executor: type[PlannedExecutor],
        on_errors: Callable[[list[GraphQLError]], None],
    ) -> None:
        self.schema = schema
        self.rules = rules
        self.executor = executor
        self.on_errors = on_errors
        self.prepare: Callable[[str], Prepared] = lru_cache(maxsize=CACHED_DOCUMENTS)(self._prepare)
        # The metrics label depends on the document and the operation's name alone: worked out
        # once per distinct pair, not by walking the document on every request.
        self.label: Callable[[str, str | None], str] = lru_cache(maxsize=CACHED_DOCUMENTS)(
            self._label
        )
        # Which operation the request runs, and whether it may: per document and name, too.
        self.kind: Callable[[str, str | None], OperationType | None] = lru_cache(
            maxsize=CACHED_DOCUMENTS
        )(self._kind)

    def _kind(self, query: str, operation_name: str | None) -> OperationType | None:
        document = self.prepare(query).document
        assert document is not None  # asked only of a document that parsed and validated
        try:
            return get_operation_type(document, operation_name)
        except RuntimeError:  # no such operation, or several and no name
            return None

    def _label(self, query: str, operation_name: str | None) -> str:
        return operation_label(self.prepare(query), operation_name)

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError as error:
            return Prepared(None, [too_long(error, MAX_TOKENS)])
        except Exception as error:  # e.g. RecursionError: masked below, as Strawberry did
            return Prepared(None, [GraphQLError(str(error), original_error=error)])
        return Prepared(document, validate_document(self.schema, document, self.rules))

    async def run(self, operation: OperationRequest) -> ExecutionResult:
        """`_run`, counted by operation (`operation_label`) and outcome, with its latency."""
        started, outcome = time.perf_counter(), "error"
        try:
            result = await self._run(operation)
            outcome = outcome_label(result.errors)
            return result
        finally:
            query = operation.query
            label = self.label(query, operation.operation_name) if query else INVALID
            metrics.graphql_operation(label, outcome, time.perf_counter() - started)

    async def _run(self, operation: OperationRequest) -> ExecutionResult:
        if not operation.query:
            raise MissingQueryError
        prepared = self.prepare(operation.query)
        if prepared.document is None or prepared.errors:
            return self._finished(None, prepared.errors)
        _check_allowed(
            self.kind(operation.query, operation.operation_name),
            operation.operation_name,
            operation.allowed,
        )
        try:
            result = execute(
                self.schema,
                prepared.document,
                root_value=operation.root,
                context_value=operation.context,
                variable_values=operation.variables,
                operation_name=operation.operation_name,
                executor_class=self.executor,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a bool, as Strawberry passes it
                operation_extensions=operation.extensions,
                subfields=prepared.subfields,
            )
            if isawaitable(result):
                result = await result
        except Exception as error:  # as Strawberry: an error of the machinery is the answer
            return self._finished(None, [_as_graphql_error(error)])
        assert isinstance(result, CoreResult)
        return self._finished(result.data, result.errors)

    def _finished(
        self, data: dict[str, Any] | None, errors: list[GraphQLError] | None
    ) -> ExecutionResult:
        if not errors:
            return ExecutionResult(data=data, errors=None)
        self.on_errors(errors)  # sees the originals: it logs bugs with their traceback
        return ExecutionResult(data=data, errors=[shown(e) for e in errors])


def operation_label(prepared: Prepared | None, operation_name: str | None) -> str:
    """`mutation.upgrade`: the operation's type and root field, both the schema's, so the label
    is bounded whatever a client names its operations; `query.multiple` for several root fields,
    `invalid` for a document that did not parse or validate."""
    if prepared is None or prepared.document is None or prepared.errors:
        return INVALID
    operation = get_operation_ast(prepared.document, operation_name)
    if operation is None:
        return INVALID
    names = {
        selection.name.value
        for selection in operation.selection_set.selections
        if isinstance(selection, FieldNode)
    }
    if len(operation.selection_set.selections) != 1 or len(names) != 1:
        return f"{operation.operation.value}.multiple"
    return f"{operation.operation.value}.{names.pop()}"


def outcome_label(errors: list[GraphQLError] | None) -> str:
    """`ok`, or the first error's code: the service's own codes, or `INTERNAL` for a bug."""
    if not errors:
        return "ok"
    code = (errors[0].extensions or {}).get("code")
    if isinstance(code, str) and ERROR_CODE.fullmatch(code):
        return code
    # The caller's result is masked already: a bug shows only as the masked message.
    return "INTERNAL" if errors[0].message == MASKED_MESSAGE else "GRAPHQL_ERROR"


def _check_allowed(
    kind: OperationType | None, operation_name: str | None, allowed: Collection[OperationType]
) -> None:
    if kind is None:
        raise CannotGetOperationTypeError(operation_name)
    if kind not in allowed:
        raise InvalidOperationTypeError(kind)


def _as_graphql_error(error: Exception) -> GraphQLError:
    if isinstance(error, GraphQLError):
        return error
    return GraphQLError(str(error), original_error=error)
