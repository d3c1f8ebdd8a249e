"""Subscription REST: create, fetch, list, cancel (now / at cycle end), pause, resume, PATCH."""

from __future__ import annotations

import pytest
import razorpay
from razorpay.errors import BadRequestError

from tests.sandbox.builders import (
    DAY,
    Env,
    active_subscription,
    advance,
    events_about,
    now,
    pay,
    plan,
    subscription,
)


def test_create_fetch_list_by_plan(client: razorpay.Client) -> None:
    # given two plans with a subscription each
    pro, other = plan(client), plan(client, name="Other")
    created = subscription(client, plan_id=pro["id"], total_count=6, notes={"user": "u1"})
    subscription(client, plan_id=other["id"])
    # when fetched and listed by plan
    listed = client.subscription.all({"plan_id": pro["id"]})
    # then it is `created`, with nothing paid and everything remaining
    assert client.subscription.fetch(created["id"]) == created
    assert [s["id"] for s in listed["items"]] == [created["id"]]
    assert created["status"] == "created" and created["customer_id"] is None
    assert (created["paid_count"], created["remaining_count"], created["total_count"]) == (0, 6, 6)
    assert created["notes"] == {"user": "u1"}
    assert created["short_url"].startswith("https://rzp.io/i/")


def test_create_rules(client: razorpay.Client) -> None:
    with pytest.raises(BadRequestError, match="The id provided does not exist"):
        client.subscription.create({"plan_id": "plan_00000000000000", "total_count": 1})
    with pytest.raises(BadRequestError, match="total"):
        client.subscription.create({"plan_id": plan(client)["id"]})
    with pytest.raises(BadRequestError, match="start_at"):
        client.subscription.create({"plan_id": plan(client)["id"], "total_count": 1, "start_at": 1})


def test_cancel_now(env: Env, client: razorpay.Client) -> None:
    # given an active subscription
    sub = active_subscription(env, client)
    # when it is cancelled with cancel_at_cycle_end false
    before = now(env)
    cancelled = client.subscription.cancel(sub["id"], {"cancel_at_cycle_end": False})
    after = now(env)
    # then it is cancelled now, with no next charge, and the webhook is sent
    assert cancelled["status"] == "cancelled"
    assert cancelled["charge_at"] is None
    assert before <= cancelled["ended_at"] <= after
    assert events_about(env, sub["id"])[-1] == "subscription.cancelled"
    with pytest.raises(BadRequestError, match="not cancellable in cancelled status"):
        client.subscription.cancel(sub["id"])


def test_cancel_at_cycle_end_stays_active_until_then(env: Env, client: razorpay.Client) -> None:
    # given an active subscription cancelled at cycle end (sent as 1, as SDK users do)
    sub = active_subscription(env, client)
    answer = client.subscription.cancel(sub["id"], {"cancel_at_cycle_end": 1})
    # then it stays active, with no marker, and no webhook yet
    assert answer["status"] == "active" and answer["has_scheduled_changes"] is False
    assert "subscription.cancelled" not in events_about(env, sub["id"])
    # when the cycle ends
    advance(env, seconds=sub["current_end"] - now(env))
    ended = client.subscription.fetch(sub["id"])
    # then it is cancelled at current_end, without another charge
    assert ended["status"] == "cancelled" and ended["ended_at"] == sub["current_end"]
    assert ended["paid_count"] == 1
    assert events_about(env, sub["id"])[-1] == "subscription.cancelled"


def test_pause_and_resume(env: Env, client: razorpay.Client) -> None:
    sub = active_subscription(env, client)
    paused = client.subscription.pause(sub["id"], {"pause_at": "now"})
    assert paused["status"] == "paused" and paused["charge_at"] is None
    # while paused, the cycle end passes without a charge
    advance(env, days=40)
    assert client.subscription.fetch(sub["id"])["paid_count"] == 1
    resumed = client.subscription.resume(sub["id"], {"resume_at": "now"})
    assert resumed["status"] == "active"
    with pytest.raises(BadRequestError, match="cannot be resumed"):
        client.subscription.resume(sub["id"], {"resume_at": "now"})
    events = events_about(env, sub["id"])
    assert events.index("subscription.paused") < events.index("subscription.resumed")


def test_pausing_an_authenticated_subscription_cancels_it(
    env: Env, client: razorpay.Client
) -> None:
    sub = subscription(client, start_at=now(env) + 10 * DAY)
    pay(env, subscription_id=sub["id"])
    assert client.subscription.pause(sub["id"], {"pause_at": "now"})["status"] == "cancelled"


def test_cannot_pause_created(client: razorpay.Client) -> None:
    with pytest.raises(BadRequestError, match="cannot be paused in created status"):
        client.subscription.pause(subscription(client)["id"], {"pause_at": "now"})


def test_update_rules(env: Env, client: razorpay.Client) -> None:
    # given a created subscription and an active card subscription
    created = subscription(client)
    card = active_subscription(env, client)
    # then neither can change quantity
    with pytest.raises(BadRequestError, match="not in Authenticated or Active state"):
        client.subscription.edit(created["id"], {"quantity": 2})
    with pytest.raises(BadRequestError, match="card subscriptions"):
        client.subscription.edit(card["id"], {"quantity": 2, "schedule_change_at": "now"})


def test_update_now_and_at_cycle_end(env: Env, client: razorpay.Client) -> None:
    # given an active eMandate subscription
    sub = subscription(client, total_count=6)
    pay(env, subscription_id=sub["id"], method="emandate")
    # when quantity changes now, and remaining_count at cycle end
    now_change = client.subscription.edit(sub["id"], {"quantity": 2})
    later = client.subscription.edit(
        sub["id"], {"remaining_count": 2, "schedule_change_at": "cycle_end"}
    )
    # then quantity is 2 at once, the other change is scheduled
    assert now_change["quantity"] == 2
    assert later["has_scheduled_changes"] is True
    assert later["change_scheduled_at"] == later["current_end"]
    preview = client.subscription.pending_update(sub["id"])
    assert preview["remaining_count"] == 2 and preview["total_count"] == 3
    # and applies at the cycle end, charging the new quantity
    advance(env, seconds=later["current_end"] - now(env))
    after = client.subscription.fetch(sub["id"])
    assert after["has_scheduled_changes"] is False
    assert (after["total_count"], after["paid_count"], after["remaining_count"]) == (3, 2, 1)
    invoices = client.invoice.all({"subscription_id": sub["id"]})["items"]
    assert invoices[0]["amount"] == 20000
    assert "subscription.updated" in events_about(env, sub["id"])


def test_cancel_scheduled_changes(env: Env, client: razorpay.Client) -> None:
    sub = subscription(client)
    pay(env, subscription_id=sub["id"], method="emandate")
    client.subscription.edit(sub["id"], {"quantity": 3, "schedule_change_at": "cycle_end"})
    cancelled = client.subscription.cancel_scheduled_changes(sub["id"])
    assert cancelled["has_scheduled_changes"] is False
    with pytest.raises(BadRequestError, match="scheduled changes"):
        client.subscription.pending_update(sub["id"])
