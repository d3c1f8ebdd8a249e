"""Razorpay signature checks. Pure CPU, so they run inline; they fail closed and never raise.

The SDK's checks raise on a mismatch, on a None signature (TypeError from compare_digest) and on
non-ASCII text; every one of those means "not verified" here.
"""

from __future__ import annotations

from razorpay import errors as sdk_errors
from razorpay.utility import Utility

_NOT_VERIFIED = (sdk_errors.SignatureVerificationError, TypeError, ValueError)


def verify_webhook(raw_body: bytes, signature: str | None, secret: str | None) -> bool:
    """Whether `X-Razorpay-Signature` signs these exact body bytes with the webhook secret."""
    if not secret or not signature:
        return False
    try:
        # The SDK hashes `body.encode()`; decoding strictly keeps that equal to the raw bytes.
        body = raw_body.decode("utf-8")
        return bool(Utility().verify_webhook_signature(body, signature, secret))
    except _NOT_VERIFIED:
        return False


def verify_subscription_checkout(
    *, payment_id: str, subscription_id: str, signature: str | None, key_secret: str
) -> bool:
    """Whether Checkout's `razorpay_signature` signs `payment_id|subscription_id` (that order)."""
    if not (payment_id and subscription_id and signature and key_secret):
        return False
    parameters = {
        "razorpay_payment_id": payment_id,
        "razorpay_subscription_id": subscription_id,
        "razorpay_signature": signature,
        "secret": key_secret,
    }
    try:
        return bool(Utility().verify_subscription_payment_signature(parameters))
    except _NOT_VERIFIED:
        return False


def verify_order_checkout(
    *, order_id: str, payment_id: str, signature: str | None, key_secret: str
) -> bool:
    """Whether Checkout's `razorpay_signature` signs `order_id|payment_id` with the key secret.
    `order_id` must be the one stored here, never the one the browser echoes."""
    if not (order_id and payment_id and signature and key_secret):
        return False
    parameters = {
        "razorpay_order_id": order_id,
        "razorpay_payment_id": payment_id,
        "razorpay_signature": signature,
    }
    try:
        # The SDK's utility reads the secret from its client's auth only.
        utility = Utility(_KeyHolder(key_secret))
        return bool(utility.verify_payment_signature(parameters))
    except _NOT_VERIFIED:
        return False


class _KeyHolder:
    """The one attribute `Utility` reads of a client: `auth`, whose second item is the secret."""

    def __init__(self, key_secret: str) -> None:
        self.auth = ("", key_secret)
