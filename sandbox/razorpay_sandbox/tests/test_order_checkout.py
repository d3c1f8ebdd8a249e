"""Paying an order at Checkout, as the service's credit packs need it: retries on one order until
it is paid, the order's notes on every payment event, and a tampered amount for the service to
catch."""

from __future__ import annotations

import json

import razorpay

from razorpay_sandbox.signatures import order_payment_signature
from razorpay_sandbox.tests.builders import Env, drain, pay, received, subscription

Entity = dict[str, object]
NOTES = {"user_id": "u1", "pack": "credits_50", "expected_amount": "19900"}


def an_order(client: razorpay.Client, *, amount: int = 19900) -> Entity:
    body = {"amount": amount, "currency": "INR", "receipt": "credits-1", "notes": NOTES}
    created: Entity = client.order.create(body)
    return created


def payloads(env: Env) -> list[tuple[str, Entity]]:
    drain(env)
    return [(item["event"], json.loads(item["body"])["payload"]) for item in received(env)]


def test_a_failed_attempt_then_a_paid_one_on_the_same_order(
    env: Env, client: razorpay.Client
) -> None:
    # given an order for a pack
    order = an_order(client)
    # when the first attempt fails and the customer retries on the same order
    failed = pay(env, order_id=order["id"], outcome="fail", reason="insufficient_fund")
    handler = pay(env, order_id=order["id"])
    # then Checkout's handler gets a signature over order_id|payment_id that the SDK verifies
    assert failed["error"]["reason"] == "insufficient_fund"
    assert client.utility.verify_payment_signature(handler) is True
    assert handler["razorpay_signature"] == order_payment_signature(
        env.credentials.key_secret, str(order["id"]), str(handler["razorpay_payment_id"])
    )
    # and the webhooks are Razorpay's, each payment carrying the order's notes
    events = payloads(env)
    assert [name for name, _ in events] == [
        "payment.failed",
        "payment.authorized",
        "payment.captured",
        "order.paid",
    ]
    for _, payload in events:
        payment = payload["payment"]["entity"]  # type: ignore[index]
        assert payment["notes"] == NOTES and payment["order_id"] == order["id"]
    order_paid = events[-1][1]["order"]["entity"]  # type: ignore[index]
    assert (order_paid["status"], order_paid["attempts"], order_paid["notes"]) == ("paid", 2, NOTES)


def test_an_order_paid_with_another_amount(env: Env, client: razorpay.Client) -> None:
    # given an order of ₹199
    order = an_order(client)
    # when a tampered integration pays ₹1 for it
    handler = pay(env, order_id=order["id"], amount=100)
    # then the payment is of ₹1 and the order says it was paid ₹1, as the webhook does
    payment = client.payment.fetch(handler["razorpay_payment_id"])
    assert (payment["amount"], payment["status"], payment["order_id"]) == (
        100,
        "captured",
        order["id"],
    )
    fetched = client.order.fetch(order["id"])
    assert (fetched["status"], fetched["amount"], fetched["amount_paid"]) == ("paid", 19900, 100)
    order_paid = dict(payloads(env))["order.paid"]
    assert order_paid["payment"]["entity"]["amount"] == 100  # type: ignore[index]


def test_only_an_order_payment_takes_an_amount(env: Env, client: razorpay.Client) -> None:
    answer = pay(env, subscription_id=subscription(client)["id"], amount=100)
    assert answer["error"]["field"] == "amount"
