"""GraphQL errors with stable `extensions.code`s, for outcomes outside a result type."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
UPGRADE_REQUIRED = "UPGRADE_REQUIRED"  # with `feature` and `plan`: what to buy to be allowed
BAD_USER_INPUT = "BAD_USER_INPUT"
RATE_LIMITED = "RATE_LIMITED"  # with `retryAfter`: whole seconds until the budget refills


def coded_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def bad_input(message: str, **extensions: Any) -> GraphQLError:
    return coded_error(message, BAD_USER_INPUT, **extensions)


def rate_limited(retry_after: int) -> GraphQLError:
    return coded_error(
        f"Too many calls: try again in {retry_after} seconds.",
        RATE_LIMITED,
        retryAfter=retry_after,
    )
