"""Expected outcomes that are not successes, each with a stable code the schema exposes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from api.gateway.errors import GatewayCallError, GatewayUnavailable


class FailureCode(StrEnum):
    """Every code a `Problem` can carry. The schema exposes this very enum (its names are the
    GraphQL values), so a code cannot be spelt differently on either side."""

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
    REFUND_REQUEST_OPEN = "REFUND_REQUEST_OPEN"
    REFUND_REQUEST_DECIDED = "REFUND_REQUEST_DECIDED"
    NOTHING_TO_REFUND = "NOTHING_TO_REFUND"
    UNKNOWN_PLAN = "UNKNOWN_PLAN"
    UNKNOWN_FEATURE = "UNKNOWN_FEATURE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    LIMIT_REACHED = "LIMIT_REACHED"
    NOT_RELEASABLE = "NOT_RELEASABLE"
    USAGE_CONTENDED = "USAGE_CONTENDED"
    SAME_PLAN = "SAME_PLAN"
    TIMING_NOT_OFFERED = "TIMING_NOT_OFFERED"
    CHANGE_IN_FLIGHT = "CHANGE_IN_FLIGHT"
    NOT_SUBSCRIBED = "NOT_SUBSCRIBED"
    CHANGE_PAYMENT_FAILED = "CHANGE_PAYMENT_FAILED"
    TRIAL_USED = "TRIAL_USED"
    UNKNOWN_PACK = "UNKNOWN_PACK"
    INSUFFICIENT_CREDITS = "INSUFFICIENT_CREDITS"
    CREDITS_ALREADY_SPENT = "CREDITS_ALREADY_SPENT"
    PLAN_NOT_GRANTABLE = "PLAN_NOT_GRANTABLE"
    INVALID_UNTIL = "INVALID_UNTIL"
    GRANT_EXISTS = "GRANT_EXISTS"
    GRANT_NOT_LIVE = "GRANT_NOT_LIVE"


@dataclass(frozen=True)
class Problem:
    code: FailureCode
    message: str
    retryable: bool = False


def not_found(what: str) -> Problem:
    return Problem(FailureCode.NOT_FOUND, f"No such {what}.")


ALREADY_SUBSCRIBED = Problem(
    FailureCode.ALREADY_SUBSCRIBED,
    "You already have a paid plan; changing plans is a plan change, not an upgrade.",
)
INVALID_SIGNATURE = Problem(
    FailureCode.INVALID_SIGNATURE, "The checkout signature does not verify."
)


def plan_not_configured(plan: str, period: str) -> Problem:
    return Problem(
        FailureCode.PLAN_NOT_CONFIGURED,
        f"{plan} ({period}) has no Razorpay plan yet: run `python -m api plans sync`, which"
        " creates one for every price of the catalog that has none (no restart needed).",
    )


def unknown_plan(detail: str) -> Problem:
    return Problem(FailureCode.UNKNOWN_PLAN, detail)


def unknown_feature(code: str) -> Problem:
    return Problem(
        FailureCode.UNKNOWN_FEATURE, f"The catalog has no feature, limit or level {code!r}."
    )


def unknown_level(code: str, value: str | None, values: tuple[str, ...]) -> Problem:
    asked = "no value" if value is None else repr(value[:40])
    return Problem(
        FailureCode.UNKNOWN_FEATURE,
        f"{code} is a level: `level` must be one of {', '.join(values)} ({asked} given).",
    )


NOT_PAID = Problem(FailureCode.NOT_PAID, "Razorpay has not captured this payment.")
NO_ACTIVE_SUBSCRIPTION = Problem(
    FailureCode.NO_ACTIVE_SUBSCRIPTION, "There is no subscription to cancel."
)
REFUND_EXCEEDS_CAPTURED = Problem(
    FailureCode.REFUND_EXCEEDS_CAPTURED,
    "The refund is larger than what remains of the captured amount.",
)
REFUNDED_IN_FULL = Problem(
    FailureCode.REFUND_EXCEEDS_CAPTURED,
    "Razorpay says the payment has been fully refunded already (in its Dashboard, perhaps):"
    " nothing is left to refund.",
)
# Razorpay refuses smaller refunds ("The amount must be at least INR 1.00").
MIN_REFUND_PAISE = 100
INVALID_AMOUNT = Problem(
    FailureCode.INVALID_AMOUNT,
    f"A refund is at least {MIN_REFUND_PAISE} paise (₹1.00), Razorpay's minimum; nothing was"
    " refunded and the idempotency key is still unused.",
)
PAYMENT_NOT_LINKED = Problem(
    FailureCode.PAYMENT_NOT_LINKED,
    "Access cannot be revoked through this payment: it is not linked to a subscription yet (its"
    " invoice.paid or subscription.charged webhook may still be on the way). Nothing was"
    " refunded; try again later with the same idempotency key, or refund with access KEEP.",
    True,
)
SUBSCRIPTION_STARTING = Problem(
    FailureCode.ALREADY_SUBSCRIBED,
    "Your Pro subscription is set up; Pro starts with its first charge.",
)
RENEWAL_PENDING = Problem(
    FailureCode.RENEWAL_PENDING,
    "Your last renewal payment failed and Razorpay is retrying it; no new subscription is needed.",
    True,
)
SUBSCRIPTION_PAUSED = Problem(
    FailureCode.SUBSCRIPTION_PAUSED,
    "Your Pro subscription is paused; resume it rather than buy another.",
)
IDEMPOTENCY_KEY_REUSED = Problem(
    FailureCode.IDEMPOTENCY_KEY_REUSED,
    "This idempotency key was used for a different request (payment, amount or access).",
)
UPGRADE_IN_PROGRESS = Problem(
    FailureCode.UPGRADE_IN_PROGRESS,
    "Another upgrade for you is being set up; try again in a moment.",
    True,
)

REFUND_REQUEST_OPEN = Problem(
    FailureCode.REFUND_REQUEST_OPEN,
    "A refund request for this payment is already open: staff will decide it.",
)
REFUND_REQUEST_DECIDED = Problem(
    FailureCode.REFUND_REQUEST_DECIDED,
    "This refund request was already decided otherwise; a decision is made once. (Sending the"
    " same decision again finishes it.)",
)
NOTHING_TO_REFUND = Problem(
    FailureCode.NOTHING_TO_REFUND,
    f"Less than Razorpay's minimum refund ({MIN_REFUND_PAISE} paise) is left of this payment.",
)


UNKNOWN_PACK = Problem(FailureCode.UNKNOWN_PACK, "No such credit pack.")
INVALID_CREDITS = Problem(
    FailureCode.INVALID_AMOUNT, "An amount of credits is a whole number from 1 to 1,000,000."
)


def insufficient_credits(balance: int) -> Problem:
    return Problem(
        FailureCode.INSUFFICIENT_CREDITS, f"Not enough credits: the balance is {balance}."
    )


def remainder_below_minimum(remaining: int) -> Problem:
    return Problem(
        FailureCode.INVALID_AMOUNT,
        f"Only {remaining} paise of this payment are left to refund, less than Razorpay's"
        f" minimum refund of {MIN_REFUND_PAISE} paise; nothing was refunded.",
    )


def plan_misconfigured(detail: str) -> Problem:
    return Problem(
        FailureCode.PLAN_MISCONFIGURED,
        f"The configured Razorpay plan is not the catalog's price ({detail}):"
        " fix RAZORPAY_PLAN_ID.",
    )


def gateway_unavailable(detail: str) -> Problem:
    return Problem(
        FailureCode.GATEWAY_UNAVAILABLE, f"Razorpay is unavailable: {detail}", retryable=True
    )


def gateway_rejected(detail: str) -> Problem:
    return Problem(FailureCode.GATEWAY_REJECTED, f"Razorpay refused the request: {detail}")


def from_gateway(error: GatewayCallError) -> Problem:
    if isinstance(error, GatewayUnavailable):
        return gateway_unavailable(error.message)
    return gateway_rejected(error.message)
