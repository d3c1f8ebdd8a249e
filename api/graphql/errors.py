"""GraphQL errors with stable `extensions.code`s, for outcomes outside a result type."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
UPGRADE_REQUIRED = "UPGRADE_REQUIRED"  # with `feature` and `plan`: what to buy to be allowed
BAD_USER_INPUT = "BAD_USER_INPUT"


def coded_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def bad_input(message: str, **extensions: Any) -> GraphQLError:
    return coded_error(message, BAD_USER_INPUT, **extensions)
