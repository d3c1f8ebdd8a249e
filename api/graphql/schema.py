"""The schema: root types composed from one module per domain, and how it runs an operation
(document limits, the mutation gate, error masking: `api/graphql/execution.py`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import strawberry
import structlog
from graphql import GraphQLError, specified_rules
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from api.graphql import direct_resolvers, union_members
from api.graphql.access_log import AccessLogQuery
from api.graphql.billing_mutations import BillingMutation
from api.graphql.checkout_config import CheckoutConfigQuery
from api.graphql.credits import CreditMutation, CreditQuery
from api.graphql.entitlements import EntitlementQuery
from api.graphql.execution import (
    OperationRequest,
    Operations,
    is_contended,
    is_unavailable,
    is_unexpected,
)
from api.graphql.funnel import FunnelMutation
from api.graphql.gate import GatedExecutor
from api.graphql.github_imports import GithubImportMutation, GithubImportQuery
from api.graphql.grants import GrantMutation, GrantQuery
from api.graphql.limits import DEFAULT_LIMITS, DocumentLimits, limits_rule
from api.graphql.payment_queries import PaymentQuery
from api.graphql.plan_changes import PlanChangeMutation, PlanChangeQuery
from api.graphql.plans import PlanQuery
from api.graphql.refund_requests import RefundRequestMutation, RefundRequestQuery
from api.graphql.subscription import SubscriptionQuery
from api.graphql.suggestions import without_suggestions
from api.graphql.usage import UsageMutation
from api.graphql.viewer import ViewerQuery

# Every root field carries a guard (tests/test_guards.py checks it); public ones are granted to
# `anonymous` in policies/policy.csv, so the policy alone says what is public.
Query = merge_types(
    "Query",
    (
        ViewerQuery,
        PlanQuery,
        CheckoutConfigQuery,
        SubscriptionQuery,
        PlanChangeQuery,
        PaymentQuery,
        EntitlementQuery,
        GithubImportQuery,
        AccessLogQuery,
        GrantQuery,
        RefundRequestQuery,
        CreditQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        BillingMutation,
        PlanChangeMutation,
        RefundRequestMutation,
        GithubImportMutation,
        FunnelMutation,
        UsageMutation,
        CreditMutation,
        GrantMutation,
    ),
)

log = structlog.get_logger("graphql")


ALLOWED = frozenset({OperationType.QUERY, OperationType.MUTATION})


class BillingSchema(strawberry.Schema):
    hides_suggestions = False
    operations: Operations  # set by build_schema, once the GraphQL schema exists

    async def execute(  # Strawberry's signature, which its view calls
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Strawberry's pipeline, without its per-request extension objects (see execution.py)."""
        if allowed_operation_types is not None:
            allowed: Collection[OperationType] = set(allowed_operation_types)
        else:
            allowed = ALLOWED
        return await self.operations.run(
            OperationRequest(
                query,
                variables=variable_values,
                context=context_value,
                root=root_value,
                operation_name=operation_name,
                allowed=allowed,
                extensions=operation_extensions,
            )
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Every error passes here, from parsing, validation, variable coercion and execution
        # alike: the one place where production drops graphql-core's name hints.
        for error in errors:
            if self.hides_suggestions:
                without_suggestions(error)
            # Strawberry logs every error with a traceback; only unexpected ones deserve that.
            if is_unexpected(error):
                log.error("unexpected_error", path=error.path, exc_info=error.original_error)
            elif is_unavailable(error):  # an outage, not a bug: no traceback
                log.warning("database_unavailable", path=error.path, error=str(error)[:200])
            elif is_contended(error):  # concurrent writers, not a bug: no traceback
                log.warning("contended", path=error.path, error=str(error)[:200])


def _rules(*, production: bool, limits: DocumentLimits) -> tuple[type[ASTValidationRule], ...]:
    # Built once: the rule classes are part of what a document's validation is cached against.
    rules: list[type[ASTValidationRule]] = [*specified_rules, limits_rule(limits)]
    if production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


class RememberedNames(NameConverter):
    """Strawberry works out each argument's GraphQL name again on every call (`to_camel_case`,
    ~3 µs per argument); names come from code, so each is worked out once per process."""

    def __init__(self) -> None:
        super().__init__()
        self._names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = super().apply_naming_config(name)
        return found


def build_schema(
    *, production: bool = False, limits: DocumentLimits = DEFAULT_LIMITS
) -> BillingSchema:
    schema = BillingSchema(
        query=Query,
        mutation=Mutation,
        execution_context_class=GatedExecutor,  # mutations: every root field admitted first
        config=StrawberryConfig(
            disable_field_suggestions=production, name_converter=RememberedNames()
        ),
    )
    schema.hides_suggestions = production
    direct_resolvers.install(schema)
    union_members.install(schema)
    schema.operations = Operations(
        schema._schema,
        _rules(production=production, limits=limits),
        GatedExecutor,
        on_errors=schema.process_errors,
    )
    return schema
