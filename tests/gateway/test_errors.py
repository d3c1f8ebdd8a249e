"""SDK exceptions → domain errors: which ones a retry can help, and which writes may have landed."""

from __future__ import annotations

import pytest
import requests
from razorpay import errors as sdk_errors

from api.gateway import (
    AlreadyFullyRefunded,
    GatewayAuthenticationFailed,
    GatewayCallError,
    GatewayInvalidResponse,
    GatewayNotFound,
    GatewayRejected,
    GatewayTimeout,
    GatewayUnavailable,
    IdempotencyKeyReused,
    RefundExceedsCaptured,
)
from api.gateway.errors import map_sdk_error


@pytest.mark.parametrize(
    ("message", "expected", "code"),
    [
        ("The id provided does not exist", GatewayNotFound, "gateway_not_found"),
        (
            "The api key provided is invalid",
            GatewayAuthenticationFailed,
            "gateway_authentication_failed",
        ),
        (
            "The refund amount provided is greater than amount captured.",
            RefundExceedsCaptured,
            "refund_exceeds_captured",
        ),
        (
            "The payment has been fully refunded already.",
            AlreadyFullyRefunded,
            "already_fully_refunded",
        ),
        (
            "Different request with the same idempotency key has already been processed.",
            IdempotencyKeyReused,
            "idempotency_key_reused",
        ),
        ("The amount must be at least INR 1.00", GatewayRejected, "gateway_rejected"),
    ],
)
def test_bad_request_maps_by_documented_message(
    message: str, expected: type[GatewayCallError], code: str
) -> None:
    mapped = map_sdk_error(sdk_errors.BadRequestError(message), is_write=True)

    assert type(mapped) is expected
    assert mapped.code == code
    assert mapped.retryable is False
    assert mapped.message == message


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (sdk_errors.ServerError("trouble"), GatewayUnavailable),
        (sdk_errors.GatewayError("bank down"), GatewayUnavailable),
        (requests.ReadTimeout("slow"), GatewayTimeout),
        (requests.ConnectionError("refused"), GatewayUnavailable),
        (requests.JSONDecodeError("Expecting value", "<html>", 0), GatewayInvalidResponse),
    ],
)
def test_outages_are_retryable_and_flag_writes_as_maybe_applied(
    raised: Exception, expected: type[GatewayCallError]
) -> None:
    as_write = map_sdk_error(raised, is_write=True)
    as_read = map_sdk_error(raised, is_write=False)

    assert type(as_write) is expected
    assert as_write.retryable is True
    assert as_write.maybe_applied is True
    assert as_read is not None
    assert as_read.maybe_applied is False


def test_connect_timeout_proves_the_write_never_left() -> None:
    mapped = map_sdk_error(requests.ConnectTimeout("no route"), is_write=True)

    assert isinstance(mapped, GatewayTimeout)
    assert mapped.maybe_applied is False


def test_programming_errors_are_not_gateway_errors() -> None:
    assert map_sdk_error(TypeError("bad call"), is_write=False) is None
