"""Domain errors for calls to Razorpay: each says, by `retryable`, whether trying again can help.

The SDK's own error classes carry only Razorpay's description (no HTTP status, no error code), so
the mapping below works from the exception type and, for a few documented cases, the message.
Nothing outside `api.gateway` needs to know the SDK's exception types.
"""

from __future__ import annotations

from typing import ClassVar

import requests
from razorpay import errors as sdk_errors


class GatewayCallError(Exception):
    """A call to Razorpay did not produce a result. Named apart from the SDK's `GatewayError`."""

    code: ClassVar[str] = "gateway_error"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, maybe_applied: bool = False) -> None:
        super().__init__(message)
        self.message = message
        # A write whose request may have reached Razorpay before it failed: the caller must
        # reconcile (fetch, or wait for the webhook) instead of assuming nothing happened.
        self.maybe_applied = maybe_applied


class GatewayUnavailable(GatewayCallError):
    """Razorpay could not be reached or failed on its side (5xx, GATEWAY_ERROR)."""

    code = "gateway_unavailable"
    retryable = True


class GatewayTimeout(GatewayUnavailable):
    code = "gateway_timeout"


class GatewayInvalidResponse(GatewayUnavailable):
    """A body that is not Razorpay JSON, e.g. an HTML 502 page from a proxy in between."""

    code = "gateway_invalid_response"


class GatewayCircuitOpen(GatewayUnavailable):
    """Failing fast: recent calls failed, so this one was not sent."""

    code = "gateway_circuit_open"

    def __init__(self, retry_after_seconds: float) -> None:
        super().__init__(f"Razorpay calls are suspended for {retry_after_seconds:.1f}s")
        self.retry_after_seconds = retry_after_seconds


class GatewayRejected(GatewayCallError):
    """Razorpay refused the request (BAD_REQUEST_ERROR); `message` is Razorpay's description."""

    code = "gateway_rejected"


class GatewayNotFound(GatewayRejected):
    code = "gateway_not_found"


class GatewayAuthenticationFailed(GatewayRejected):
    code = "gateway_authentication_failed"


class RefundExceedsCaptured(GatewayRejected):
    code = "refund_exceeds_captured"


class AlreadyFullyRefunded(GatewayRejected):
    code = "already_fully_refunded"


class IdempotencyKeyReused(GatewayRejected):
    """The refund idempotency key was already used for a different request."""

    code = "idempotency_key_reused"


class SubscriptionNotUpdatable(GatewayRejected):
    """Razorpay will not update this subscription (FACTS §2.3: its status, a UPI or eMandate
    mandate, or a domestic card, which may only change its offer at cycle end)."""

    code = "subscription_not_updatable"


class UpdateChargeFailed(GatewayRejected):
    """The prorated charge of an immediate update failed; the subscription was not updated."""

    code = "update_charge_failed"


class GatewayMalformedEntity(GatewayCallError):
    """A successful response whose entity lacks what we rely on; retrying returns the same."""

    code = "gateway_malformed_entity"


# Descriptions documented in FACTS §1, matched case-insensitively as substrings.
_REJECTIONS: tuple[tuple[str, type[GatewayRejected]], ...] = (
    ("the id provided does not exist", GatewayNotFound),
    ("the api key provided is invalid", GatewayAuthenticationFailed),
    ("the api secret provided is invalid", GatewayAuthenticationFailed),
    ("authentication failed", GatewayAuthenticationFailed),
    ("greater than amount captured", RefundExceedsCaptured),
    ("has been fully refunded already", AlreadyFullyRefunded),
    ("same idempotency key has already been processed", IdempotencyKeyReused),
    ("cannot be updated when payment mode", SubscriptionNotUpdatable),
    ("can't update subscription when subscription is not in", SubscriptionNotUpdatable),
    # The sandbox's wording for domestic cards (Razorpay's own is not documented).
    ("only the offer can be changed", SubscriptionNotUpdatable),
    ("prorated amount failed", UpdateChargeFailed),
)


def rejection_for(message: str) -> GatewayRejected:
    lowered = message.lower()
    for fragment, error_class in _REJECTIONS:
        if fragment in lowered:
            return error_class(message)
    return GatewayRejected(message)


def map_sdk_error(exc: Exception, *, is_write: bool) -> GatewayCallError | None:
    """The domain error for an exception raised by an SDK call, or None if it is not one."""
    if isinstance(exc, sdk_errors.BadRequestError):
        return rejection_for(str(exc))
    if isinstance(exc, sdk_errors.ServerError | sdk_errors.GatewayError):
        return GatewayUnavailable(str(exc) or "Razorpay server error", maybe_applied=is_write)
    if isinstance(exc, requests.RequestException):
        return _transport_error(exc, is_write=is_write)
    return None


def _transport_error(exc: requests.RequestException, *, is_write: bool) -> GatewayUnavailable:
    # Only a connect timeout proves the request never left; anything later may have landed.
    maybe_applied = is_write and not isinstance(exc, requests.ConnectTimeout)
    if isinstance(exc, requests.Timeout):
        return GatewayTimeout(f"Razorpay timed out: {exc}", maybe_applied=maybe_applied)
    if isinstance(exc, requests.JSONDecodeError):
        return GatewayInvalidResponse("Razorpay returned a non-JSON body", maybe_applied=is_write)
    return GatewayUnavailable(f"Razorpay unreachable: {exc}", maybe_applied=maybe_applied)
