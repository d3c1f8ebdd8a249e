"""Webhook delivery: Razorpay's events and envelope, signed, at least once, and the test knobs."""

from __future__ import annotations

import json
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import razorpay

from razorpay_sandbox import SandboxConfig, SandboxCredentials
from razorpay_sandbox.tests.builders import (
    Env,
    control,
    drain,
    events_about,
    knobs,
    pay,
    received,
    subscription,
)
from razorpay_sandbox.tests.harness import serve_sandbox
from razorpay_sandbox.webhooks import retry_offsets

IMMEDIATE_START = [
    "payment.authorized",
    "payment.captured",
    "order.paid",
    "invoice.paid",
    "subscription.activated",
    "subscription.charged",
]


def deliveries(env: Env) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = control(env, "/control/webhooks/deliveries", method="GET")[
        "items"
    ]
    return items


def paid_order(env: Env) -> None:
    order = env.sdk().order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])


def test_checkout_sends_razorpays_events_in_order(env: Env, client: razorpay.Client) -> None:
    # given a subscription paid at checkout
    sub = subscription(client)
    handler = pay(env, subscription_id=sub["id"])
    drain(env)
    # then the receiver gets the events Razorpay sends, in order, in its envelope
    arrived = received(env)
    assert [item["event"] for item in arrived] == IMMEDIATE_START
    charged = json.loads(arrived[-1]["body"])
    assert set(charged) == {"entity", "account_id", "event", "contains", "payload", "created_at"}
    assert charged["contains"] == ["subscription", "payment"]
    assert charged["payload"]["payment"]["entity"]["id"] == handler["razorpay_payment_id"]
    assert charged["payload"]["subscription"]["entity"]["status"] == "active"
    invoice_paid = json.loads(arrived[3]["body"])
    assert invoice_paid["contains"] == ["payment", "order", "invoice"]
    assert {item["content_type"] for item in arrived} == {"application/json"}


def test_payloads_are_snapshots(env: Env, client: razorpay.Client) -> None:
    pay(env, subscription_id=subscription(client)["id"])
    drain(env)
    authorized = json.loads(received(env)[0]["body"])["payload"]["payment"]["entity"]
    assert (authorized["status"], authorized["captured"]) == ("authorized", False)


def test_event_ids_are_unique(env: Env, client: razorpay.Client) -> None:
    pay(env, subscription_id=subscription(client)["id"])
    drain(env)
    ids = [item["event_id"] for item in received(env)]
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
    answered = [(item["event"], item["answered"]) for item in received(env)]
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
    statuses = [a["status"] for item in log for a in item["attempts"]]
    assert statuses.count(500) == 2 and statuses.count(200) == 3


def test_an_answer_later_than_the_delivery_timeout_is_retried(tmp_path: Path) -> None:
    # given a sandbox that waits 0.3 s for an answer (5 s in production), and a receiver that
    # takes 0.8 s over its first delivery
    with serve_sandbox(tmp_path, delivery_timeout=0.3) as env:
        env.receiver.stall_next, env.receiver.stall_seconds = 1, 0.8
        # when an event is sent
        paid_order(env)
        drain(env)
        first = deliveries(env)[0]
        ids = [item["event_id"] for item in received(env)]
    # then the late answer counted as a failure, and the event came again with the same id
    attempts = [(attempt["status"], attempt["error"]) for attempt in first["attempts"]]
    assert attempts == [(None, "no answer in time"), (200, None)]
    assert first["state"] == "delivered"
    assert ids.count(first["event_id"]) == 2


def test_the_default_retry_schedule_spans_24_hours() -> None:
    config = SandboxConfig(SandboxCredentials("rzp_test_x", "secret", "hook"), None)
    offsets = retry_offsets(config)
    assert offsets[:3] == [5.0, 15.0, 35.0]  # exponential backoff…
    assert max(b - a for a, b in pairwise(offsets)) == 3600.0  # …capped
    assert 23 * 3600 < offsets[-1] <= 24 * 3600  # Razorpay retries for 24 h (FACTS §4)


def test_redelivery_gives_up_at_the_end_of_the_retry_window(tmp_path: Path) -> None:
    # given a receiver that always fails, and the 24 h window shrunk to 0.4 s
    timings = {"retry_window": 0.4, "retry_backoff_base": 0.05, "retry_backoff_max": 0.1}
    with serve_sandbox(tmp_path, max_attempts=100, **timings) as env:
        env.receiver.fail_next = 1000
        # when an event is sent
        paid_order(env)
        drain(env)
        log = deliveries(env)
    # then it was tried at the schedule's 0, 0.05, 0.15, 0.25 and 0.35 s (the next, 0.45 s, is
    # past the window), one after another, and then given up; when exactly each attempt went out
    # is the event loop's business, so no elapsed time is asserted
    for item in log:
        times = [attempt["at"] for attempt in item["attempts"]]
        assert (item["state"], len(times)) == ("failed", 5)
        assert times == sorted(times)


def test_duplicate_knob_delivers_twice_with_the_same_event_id(
    env: Env, client: razorpay.Client
) -> None:
    knobs(env, duplicate=True)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    drain(env)
    ids = [item["event_id"] for item in received(env)]
    assert len(ids) == 6 and len(set(ids)) == 3
    bodies = {item["event_id"]: item["body"] for item in received(env)}
    assert all(item["body"] == bodies[item["event_id"]] for item in received(env))


def test_reorder_knob_delivers_newest_first(env: Env, client: razorpay.Client) -> None:
    knobs(env, reorder=True)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    drain(env)
    events = [item["event"] for item in received(env)]
    assert events == ["order.paid", "payment.captured", "payment.authorized"]


def test_fail_first_knob_retries_every_event(env: Env, client: razorpay.Client) -> None:
    knobs(env, fail_first=True)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    drain(env)
    log = deliveries(env)
    assert [len(item["attempts"]) for item in log] == [2, 2, 2]
    assert len(received(env)) == 3


def test_drop_knob_accepts_events_and_never_delivers_them(
    env: Env, client: razorpay.Client
) -> None:
    knobs(env, drop=True)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])
    drain(env)
    # the events happened (they are in the log) but none reached the receiver, not even later
    assert [item["state"] for item in deliveries(env)] == ["dropped"] * 3
    knobs(env, drop=False)
    drain(env)
    assert env.receiver.received == []


def test_delay_knob_sends_each_event_no_sooner_than_the_delay(
    env: Env, client: razorpay.Client
) -> None:
    knobs(env, delay=0.2)
    order = client.order.create({"amount": 5000, "currency": "INR"})
    paid_at = time.time()
    pay(env, order_id=order["id"])
    drain(env)
    # a lower bound only: a slow machine can make the events later, never sooner
    assert len(received(env)) == 3
    assert all(item["attempts"][0]["at"] >= paid_at + 0.2 for item in deliveries(env))


def paid_order_held(env: Env, client: razorpay.Client) -> None:
    """An order paid while hold is on: payment.authorized, payment.captured, order.paid held."""
    assert knobs(env, hold=True)["hold"] is True
    order = client.order.create({"amount": 5000, "currency": "INR"})
    pay(env, order_id=order["id"])


def release(env: Env, **body: Any) -> Any:
    answer = control(env, "/control/webhooks/release", body)
    drain(env)
    return answer


def arrived_events(env: Env) -> list[str]:
    return [item["event"] for item in received(env)]


def test_held_events_wait_for_release_and_arrive_in_the_order_released(
    env: Env, client: razorpay.Client
) -> None:
    # given an order paid while deliveries are held
    paid_order_held(env, client)

    # then nothing is sent, however long one waits for it
    drain(env)
    assert arrived_events(env) == []
    assert [item["state"] for item in deliveries(env)] == ["held"] * 3

    # when two of them are released, named in an order of our choosing
    answer = release(env, events=["order.paid", "payment.authorized"])

    # then those two arrive in that order, and the third is still held
    assert [item["event"] for item in answer["released"]] == ["order.paid", "payment.authorized"]
    assert answer["held"] == 1
    assert arrived_events(env) == ["order.paid", "payment.authorized"]

    # and when the rest is released, it follows
    assert release(env)["held"] == 0
    assert arrived_events(env) == ["order.paid", "payment.authorized", "payment.captured"]


def test_held_events_can_be_released_newest_first(env: Env, client: razorpay.Client) -> None:
    paid_order_held(env, client)

    release(env, newest_first=True)

    assert arrived_events(env) == ["order.paid", "payment.captured", "payment.authorized"]


def test_turning_hold_off_sends_what_it_held_oldest_first(
    env: Env, client: razorpay.Client
) -> None:
    paid_order_held(env, client)

    knobs(env, hold=False)
    drain(env)

    assert arrived_events(env) == ["payment.authorized", "payment.captured", "order.paid"]


def test_releasing_an_event_that_is_not_held_is_refused_and_releases_nothing(
    env: Env, client: razorpay.Client
) -> None:
    paid_order_held(env, client)

    answer = release(env, events=["order.paid", "refund.processed"])

    assert answer["error"]["field"] == "events"
    assert "refund.processed" in answer["error"]["description"]
    assert arrived_events(env) == []
    assert "error" in release(env, events="order.paid")


def test_knobs_reset_and_bad_knob(env: Env) -> None:
    assert knobs(env, duplicate=True)["duplicate"] is True
    assert "error" in knobs(env, sideways=True)
    control(env, "/control/reset")
    assert control(env, "/control/webhooks/knobs", method="GET")["duplicate"] is False
