"""Signature checks against Razorpay's published test vectors (FACTS §4, §5); fail closed."""

from __future__ import annotations

import pytest

from api.gateway import RazorpayGateway, verify_subscription_checkout, verify_webhook
from tests.gateway.builders import make_settings, sample_bytes

WEBHOOK_SECRET = "key_secret"
WEBHOOK_SIGNATURE = "d60e67fd884556c045e9be7dad57903e33efc7172c17c6e3ef77db42d2b366e9"
SUBSCRIPTION_SECRET = "EnLs21M47BllR3X8PSFtjtbd"
SUBSCRIPTION_SIGNATURE = "601f383334975c714c91a7d97dd723eb56520318355863dcf3821c0d07a17693"
PAYMENT_ID = "pay_IDZNwZZFtnjyym"
SUBSCRIPTION_ID = "sub_ID6MOhgkcoHj9I"


def test_webhook_vector_verifies_over_the_raw_bytes() -> None:
    # given the exact bytes of the SDK's webhook sample
    body = sample_bytes("fake_payment_authorized_webhook.json")

    # when / then
    assert verify_webhook(body, WEBHOOK_SIGNATURE, WEBHOOK_SECRET) is True


def test_webhook_with_a_reserialised_body_fails() -> None:
    body = sample_bytes("fake_payment_authorized_webhook.json").replace(b"\n", b"")

    assert verify_webhook(body, WEBHOOK_SIGNATURE, WEBHOOK_SECRET) is False


@pytest.mark.parametrize(
    ("signature", "secret"),
    [
        ("0" * 64, WEBHOOK_SECRET),
        (WEBHOOK_SIGNATURE.upper(), WEBHOOK_SECRET),
        ("", WEBHOOK_SECRET),
        (None, WEBHOOK_SECRET),
        ("sîgnatüre", WEBHOOK_SECRET),
        (WEBHOOK_SIGNATURE, None),
        (WEBHOOK_SIGNATURE, ""),
        (WEBHOOK_SIGNATURE, "another_secret"),
    ],
)
def test_webhook_forged_or_missing_signature_or_secret_is_rejected(
    signature: str | None, secret: str | None
) -> None:
    body = sample_bytes("fake_payment_authorized_webhook.json")

    assert verify_webhook(body, signature, secret) is False


def test_webhook_body_that_is_not_utf8_is_rejected_without_raising() -> None:
    assert verify_webhook(b"\xff\xfe{garbage", WEBHOOK_SIGNATURE, WEBHOOK_SECRET) is False


def test_subscription_checkout_vector_verifies_with_the_gateway_key_secret() -> None:
    # given a gateway configured with the vector's key secret
    gateway = RazorpayGateway(make_settings("http://127.0.0.1:9", key_secret=SUBSCRIPTION_SECRET))

    # when
    verified = gateway.verify_subscription_checkout(
        PAYMENT_ID, SUBSCRIPTION_ID, SUBSCRIPTION_SIGNATURE
    )
    gateway.close()

    # then
    assert verified is True


@pytest.mark.parametrize(
    ("payment_id", "subscription_id", "signature"),
    [
        (SUBSCRIPTION_ID, PAYMENT_ID, SUBSCRIPTION_SIGNATURE),  # ids in the order-flow order
        (PAYMENT_ID, "sub_other00000000", SUBSCRIPTION_SIGNATURE),
        (PAYMENT_ID, SUBSCRIPTION_ID, "f" * 64),
        (PAYMENT_ID, SUBSCRIPTION_ID, ""),
        (PAYMENT_ID, SUBSCRIPTION_ID, None),
        ("", SUBSCRIPTION_ID, SUBSCRIPTION_SIGNATURE),
    ],
)
def test_subscription_checkout_forgeries_are_rejected(
    payment_id: str, subscription_id: str, signature: str | None
) -> None:
    verified = verify_subscription_checkout(
        payment_id=payment_id,
        subscription_id=subscription_id,
        signature=signature,
        key_secret=SUBSCRIPTION_SECRET,
    )

    assert verified is False
