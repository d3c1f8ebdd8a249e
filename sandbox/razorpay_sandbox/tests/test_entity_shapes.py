"""Entity key sets compared with Razorpay's samples (tests/samples: the SDK's fixtures)."""

from __future__ import annotations

from typing import Any

import razorpay

from razorpay_sandbox.tests.builders import Env, active_subscription, pay, plan, raw, sample

# Keys of older API versions that the samples still carry (see samples/README.md, FACTS §7).
LEGACY_PAYMENT_KEYS = {"udf", "service_tax"}
# Empty notes are [] at Razorpay, an object otherwise (FACTS: parsers must accept both).
EITHER_TYPE = {"notes"}


def keys(entity: dict[str, Any]) -> set[str]:
    return set(entity)


def test_plan_keys_match_the_sample(client: razorpay.Client) -> None:
    created = plan(client)
    expected = sample("fake_plan.json")
    assert keys(created) == keys(expected)
    assert keys(expected["item"]) <= keys(created["item"])
    assert [p.keys() for p in client.plan.all()["items"]] == [created.keys()]


def test_subscription_keys_match_the_samples(env: Env, client: razorpay.Client) -> None:
    sub = active_subscription(env, client)
    assert keys(sample("fake_subscription.json")) <= keys(sub)
    assert keys(sample("fake_subscription_paused.json")) <= keys(sub)
    paused = client.subscription.pause(sub["id"], {"pause_at": "now"})
    assert keys(sample("fake_subscription_paused.json")) <= keys(paused)
    assert type(paused["charge_at"]) is type(sample("fake_subscription_paused.json")["charge_at"])


def test_order_keys_match_the_sample(client: razorpay.Client) -> None:
    order = client.order.create({"amount": 500, "currency": "INR", "receipt": "12121"})
    assert keys(sample("fake_order.json")) <= keys(order)
    assert {"amount_paid", "amount_due", "offer_id"} <= keys(order)


def test_payment_keys_match_the_samples(env: Env, client: razorpay.Client) -> None:
    order = client.order.create({"amount": 500, "currency": "INR"})
    payment = client.payment.fetch(pay(env, order_id=order["id"])["razorpay_payment_id"])
    webhook_payment = sample("fake_payment_authorized_webhook.json")["payload"]["payment"]
    for expected in (sample("fake_captured_payment.json"), webhook_payment["entity"]):
        assert keys(expected) - LEGACY_PAYMENT_KEYS <= keys(payment)
    sample_types = {k: type(v) for k, v in webhook_payment["entity"].items() if v is not None}
    for name, kind in sample_types.items():
        if name not in LEGACY_PAYMENT_KEYS | EITHER_TYPE and payment[name] is not None:
            assert isinstance(payment[name], kind), name


def test_refund_keys_match_the_sample(env: Env, client: razorpay.Client) -> None:
    order = client.order.create({"amount": 500, "currency": "INR"})
    payment_id = pay(env, order_id=order["id"])["razorpay_payment_id"]
    refund = client.payment.refund(payment_id, {"amount": 100, "speed": "optimum"})
    assert keys(sample("fake_refund.json")) <= keys(refund)
    assert keys(sample("refund_collection.json")["items"][0]) <= keys(refund)


def test_collection_shape_matches_the_sample(client: razorpay.Client) -> None:
    plan(client)
    assert keys(client.plan.all()) == keys(sample("plan_collection.json"))


def test_error_shape_matches_the_sample(env: Env) -> None:
    error = raw(env, "POST", "/v1/orders", json={"amount": 1, "currency": "INR"}).json()
    assert keys(sample("bad_request_error.json")["error"]) <= keys(error["error"])
