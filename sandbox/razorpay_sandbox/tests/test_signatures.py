"""Signatures: the sandbox's signing against Razorpay's published vectors, and checkout and
webhook signatures verified with the SDK's own `utility` functions."""

from __future__ import annotations

import pytest
import razorpay
from razorpay.errors import SignatureVerificationError

from razorpay_sandbox.signatures import (
    order_payment_signature,
    subscription_payment_signature,
    webhook_signature,
)
from razorpay_sandbox.tests.builders import SAMPLES, Env, drain, pay, received, subscription


def test_order_signature_matches_the_published_vector() -> None:
    expected = "b2335e3b0801106b84a7faff035df56ecffde06918c9ddd1f0fafbb37a51cc89"
    assert order_payment_signature("key_secret", "fake_order_id", "fake_payment_id") == expected


def test_subscription_signature_matches_the_published_vector() -> None:
    expected = "601f383334975c714c91a7d97dd723eb56520318355863dcf3821c0d07a17693"
    signature = subscription_payment_signature(
        "EnLs21M47BllR3X8PSFtjtbd", "pay_IDZNwZZFtnjyym", "sub_ID6MOhgkcoHj9I"
    )
    assert signature == expected


def test_webhook_signature_matches_the_published_vector() -> None:
    body = (SAMPLES / "fake_payment_authorized_webhook.json").read_bytes()
    expected = "d60e67fd884556c045e9be7dad57903e33efc7172c17c6e3ef77db42d2b366e9"
    assert webhook_signature("key_secret", body) == expected


def test_sdk_verifies_subscription_checkout(env: Env, client: razorpay.Client) -> None:
    handler = pay(env, subscription_id=subscription(client)["id"])
    assert set(handler) == {
        "razorpay_payment_id",
        "razorpay_subscription_id",
        "razorpay_signature",
    }
    assert client.utility.verify_subscription_payment_signature(handler) is True
    with pytest.raises(SignatureVerificationError):
        env.sdk(secret="another-secret").utility.verify_subscription_payment_signature(handler)


def test_sdk_verifies_order_checkout(env: Env, client: razorpay.Client) -> None:
    order = client.order.create({"amount": 5000, "currency": "INR"})
    handler = pay(env, order_id=order["id"])
    assert set(handler) == {"razorpay_payment_id", "razorpay_order_id", "razorpay_signature"}
    assert client.utility.verify_payment_signature(handler) is True
    forged = {**handler, "razorpay_order_id": "order_00000000000000"}
    with pytest.raises(SignatureVerificationError):
        client.utility.verify_payment_signature(forged)


def test_sdk_verifies_every_delivered_webhook(env: Env, client: razorpay.Client) -> None:
    # given some activity
    pay(env, subscription_id=subscription(client)["id"])
    drain(env)
    # then every delivery verifies with the webhook secret, over the exact bytes received
    arrived = received(env)
    assert len(arrived) >= 6
    secret = env.credentials.webhook_secret
    for item in arrived:
        assert client.utility.verify_webhook_signature(item["body"], item["signature"], secret)
    with pytest.raises(SignatureVerificationError):
        client.utility.verify_webhook_signature(arrived[0]["body"], arrived[0]["signature"], "x")
