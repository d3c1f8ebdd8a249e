"""Expected failures as a result type: a stable code the client can branch on, and a message."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.billing.outcomes import Problem


@strawberry.enum
class FailureCode(Enum):
    ALREADY_SUBSCRIBED = "ALREADY_SUBSCRIBED"
    NOT_FOUND = "NOT_FOUND"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    NOT_PAID = "NOT_PAID"
    NO_ACTIVE_SUBSCRIPTION = "NO_ACTIVE_SUBSCRIPTION"
    REFUND_EXCEEDS_CAPTURED = "REFUND_EXCEEDS_CAPTURED"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    PAYMENT_NOT_LINKED = "PAYMENT_NOT_LINKED"
    PLAN_NOT_CONFIGURED = "PLAN_NOT_CONFIGURED"
    PLAN_MISCONFIGURED = "PLAN_MISCONFIGURED"
    RENEWAL_PENDING = "RENEWAL_PENDING"
    SUBSCRIPTION_PAUSED = "SUBSCRIPTION_PAUSED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    UPGRADE_IN_PROGRESS = "UPGRADE_IN_PROGRESS"
    GATEWAY_UNAVAILABLE = "GATEWAY_UNAVAILABLE"
    GATEWAY_REJECTED = "GATEWAY_REJECTED"


@strawberry.type(description="Why a mutation did not do what was asked. Nothing was changed.")
class Failure:
    code: FailureCode
    message: str
    retryable: bool = strawberry.field(description="Whether trying again later can succeed.")


def failure(problem: Problem) -> Failure:
    return Failure(
        code=FailureCode(problem.code), message=problem.message, retryable=problem.retryable
    )
