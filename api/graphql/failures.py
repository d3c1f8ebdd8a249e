"""Expected failures as a result type: a stable code the client can branch on, and a message."""

from __future__ import annotations

import strawberry

from api.billing.outcomes import Problem
from api.graphql.enums import FailureCode


@strawberry.type(description="Why a mutation did not do what was asked. Nothing was changed.")
class Failure:
    code: FailureCode
    message: str
    retryable: bool = strawberry.field(description="Whether trying again later can succeed.")


def failure(problem: Problem) -> Failure:
    return Failure(code=problem.code, message=problem.message, retryable=problem.retryable)
