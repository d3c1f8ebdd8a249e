"""The schema: root types composed from one module per domain, and its protective extensions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
import structlog
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.graphql.access_log import AccessLogQuery
from api.graphql.billing_mutations import BillingMutation
from api.graphql.entitlements import EntitlementQuery
from api.graphql.gate import GatedExecutor
from api.graphql.github_imports import GithubImportMutation, GithubImportQuery
from api.graphql.limits import DEFAULT_LIMITS, DocumentLimits, limits_rule
from api.graphql.payment_queries import PaymentQuery
from api.graphql.plans import PlanQuery
from api.graphql.subscription import SubscriptionQuery
from api.graphql.suggestions import without_suggestions
from api.graphql.viewer import ViewerQuery

MAX_TOKENS = 2000

# Every root field carries a guard (tests/test_guards.py checks it); public ones are granted to
# `anonymous` in policies/policy.csv, so the policy alone says what is public.
Query = merge_types(
    "Query",
    (
        ViewerQuery,
        PlanQuery,
        SubscriptionQuery,
        PaymentQuery,
        EntitlementQuery,
        GithubImportQuery,
        AccessLogQuery,
    ),
)
Mutation = merge_types("Mutation", (BillingMutation, GithubImportMutation))

log = structlog.get_logger("graphql")


def is_unexpected(error: GraphQLError) -> bool:
    """Bugs are masked; deliberate GraphQL errors (auth, validation) keep their message and code."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


class BillingSchema(strawberry.Schema):
    hides_suggestions = False

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


def _extensions(*, production: bool, limits: DocumentLimits) -> list[Callable[[], SchemaExtension]]:
    # Rules are built once: a rule class built per request would defeat the validation cache.
    rules: list[Any] = [limits_rule(limits)]
    if production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(rules),
        lambda: MaskErrors(should_mask_error=is_unexpected),
    ]


def build_schema(
    *, production: bool = False, limits: DocumentLimits = DEFAULT_LIMITS
) -> strawberry.Schema:
    schema = BillingSchema(
        query=Query,
        mutation=Mutation,
        extensions=_extensions(production=production, limits=limits),
        execution_context_class=GatedExecutor,  # mutations: every root field admitted first
        config=StrawberryConfig(disable_field_suggestions=production),
    )
    schema.hides_suggestions = production
    return schema
