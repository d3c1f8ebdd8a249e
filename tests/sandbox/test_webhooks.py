"""Webhook delivery: Razorpay's events and envelope, signed, at least once, and the test knobs."""

from __future__ import annotations

import json

import razorpay

from tests.sandbox.builders import (
    Env,
    control,
    drain,
    events_about,
    knobs,
    pay,
    subscription,
)

IMMEDIATE_START = [
    "payment.authorized",
    "payment.captured",
    "order.paid",
    "invoice.paid",
    "subscription.activated",
    "subscription.charged",
]


def deliveries(env: Env) -> list[dict[str, object]]:
    items: list[dict[str, object]] = control(env, "/control/webhooks/deliveries", method="GET")[
        "items"
    ]
    return items


def test_checkout_sends_razorpays_events_in_order(env: Env, client: razorpay.Client) -> None:
    # given a subscription paid at checkout
    sub = subscription(client)
    handler = pay(env, subscription_id=sub["id"])
    drain(env)
    # then the receiver gets the events Razorpay sends, in order, in its envelope
    received = env.receiver.received
    assert [item["event"] for item in received] == IMMEDIATE_START
    charged = json.loads(received[-1]["body"])
    assert set(charged) == {"entity", "account_id", "event", "contains", "payload", "created_at"}
    assert charged["contains"] == ["subscription", "payment"]
    assert charged["payload"]["payment"]["entity"]["id"] == handler["razorpay_payment_id"]
    assert charged["payload"]["subscription"]["entity"]["status"] == "active"
    invoice_paid = json.loads(received[3]["body"])
    assert invoice_paid["contains"] == ["payment", "order", "invoice"]
    assert {item["content_type"] for item in received} == {"application/json"}


def test_payloads_are_snapshots(env: Env, client: razorpay.Client) -> None:
    pay(env, subscription_id=subscription(client)["id"])
    drain(env)
    authorized = json.loads(env.receiver.received[0]["body"])["payload"]["payment"]["entity"]
    assert (authorized["status"], authorized["captured"]) == ("authorized", False)


def test_event_ids_are_unique(env: Env, client: razorpay.Client) -> None:
    pay(env, subscription_id=subscription(client)["id"])
    drain(env)
    ids = [item["event_id"] for item in env.receiver.received]
    assert len(set(ids)) == len(ids) == len(IMMEDIATE_START)


def test_refund_events(env: Env, client: razorpay.Client) -> None:
    order = client.order.create({"amount": 5000, "currency": "INR"})
    payment_id = pay(env, order_id=order["id"])["razorpay_payment_id"]
    refund = client.payment.refund(payment_id, {"amount": 100})
    assert events_about(env, refund["id"]) == ["refund.created", "refund.processed"]
    created = json.loads(env.receiver.about(refund["id"])[0]["body"])
    assert created["contains"] == ["refund", "payment"]


def test_non_2xx_is_retried_until_accepted(env: Env, client: razorpay.Client) -> None:
    # given a receiver that answers 500 twice
    env.receiver.fail_next = 2
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    drain(env)
    # then each event eventually arrives with a 2xx, and the log shows every response
    answered = [(item["event"], item["answered"]) for item in env.receiver.received]
    assert (
        answered.count(("payment.authorized", 500))
        + answered.count(("payment.captured", 500))
        + answered.count(("order.paid", 500))
        == 2
    )
    assert {event for event, status in answered if status == 200} == {
        "payment.authorized",
        "payment.captured",
        "order.paid",
    }
    log = deliveries(env)
    assert all(item["state"] == "delivered" for item in log)
    statuses = [a["status"] for item in log for a in item["attempts"]]  # type: ignore[attr-defined]
    assert statuses.count(500) == 2 and statuses.count(200) == 3


def test_duplicate_knob_delivers_twice_with_the_same_event_id(
    env: Env, client: razorpay.Client
) -> None:
    knobs(env, duplicate=True)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    drain(env)
    ids = [item["event_id"] for item in env.receiver.received]
    assert len(ids) == 6 and len(set(ids)) == 3
    bodies = {item["event_id"]: item["body"] for item in env.receiver.received}
    assert all(item["body"] == bodies[item["event_id"]] for item in env.receiver.received)


def test_reorder_knob_delivers_newest_first(env: Env, client: razorpay.Client) -> None:
    knobs(env, reorder=True)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    drain(env)
    events = [item["event"] for item in env.receiver.received]
    assert events == ["order.paid", "payment.captured", "payment.authorized"]


def test_fail_first_knob_retries_every_event(env: Env, client: razorpay.Client) -> None:
    knobs(env, fail_first=True)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    drain(env)
    log = deliveries(env)
    assert [len(item["attempts"]) for item in log] == [2, 2, 2]  # type: ignore[arg-type]
    assert len(env.receiver.received) == 3


def test_delay_knob_holds_events(env: Env, client: razorpay.Client) -> None:
    knobs(env, delay=0.2)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    # the events are held, not yet sent, right after the request
    assert env.receiver.received == []
    drain(env)
    assert len(env.receiver.received) == 3


def test_knobs_reset_and_bad_knob(env: Env) -> None:
    assert knobs(env, duplicate=True)["duplicate"] is True
    assert "error" in knobs(env, sideways=True)
    control(env, "/control/reset")
    assert control(env, "/control/webhooks/knobs", method="GET")["duplicate"] is False
