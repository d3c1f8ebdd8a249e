"""Subscription REST: create, fetch, list, cancel (now / at cycle end), pause, resume, PATCH."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
import razorpay
from razorpay.errors import BadRequestError

from razorpay_sandbox.tests.builders import (
    DAY,
    Env,
    active_subscription,
    advance,
    events_about,
    next_charge,
    now,
    pay,
    plan,
    raw,
    subscription,
)

IST = timezone(timedelta(hours=5, minutes=30))  # Razorpay's cycle boundaries: 00:00 IST


def ist_date(at: int) -> date:
    return datetime.fromtimestamp(at, IST).date()


def ist_midnight(day: date) -> int:
    return int(datetime.combine(day, time(0), IST).timestamp())


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the month's last day
        return day.replace(year=day.year + years, day=28)


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


def test_cancel_at_cycle_end_keeps_the_retries_of_a_pending_cycle(
    env: Env, client: razorpay.Client
) -> None:
    # given a subscription whose renewal failed at T, then cancelled at cycle end
    sub = active_subscription(env, client)
    next_charge(env, sub["id"], count=4)
    due = sub["charge_at"]
    advance(env, seconds=due - now(env))
    client.subscription.cancel(sub["id"], {"cancel_at_cycle_end": True})
    # when three days pass
    moved = advance(env, days=3, seconds=60)
    # then it was retried on T+1, T+2, T+3 and halted, but not cancelled yet
    runs = [(h["at"] - due, h["what"]) for h in moved["happened"]]
    assert runs == [(DAY, "charge failed"), (2 * DAY, "charge failed"), (3 * DAY, "halted")]
    halted = client.subscription.fetch(sub["id"])
    assert halted["status"] == "halted"
    # when the cycle ends, it is cancelled then, without another invoice
    advance(env, seconds=halted["current_end"] - now(env))
    ended = client.subscription.fetch(sub["id"])
    assert (ended["status"], ended["ended_at"]) == ("cancelled", halted["current_end"])
    assert client.invoice.all({"subscription_id": sub["id"]})["count"] == 2


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
    # given a created subscription, and active ones paid by domestic card, UPI and eMandate
    created = subscription(client)
    card = active_subscription(env, client)
    upi, emandate = subscription(client), subscription(client)
    pay(env, subscription_id=upi["id"], method="upi")
    pay(env, subscription_id=emandate["id"], method="emandate")
    # then none of them can change quantity, with Razorpay's errors
    with pytest.raises(BadRequestError, match="not in Authenticated or Active state"):
        client.subscription.edit(created["id"], {"quantity": 2})
    with pytest.raises(BadRequestError, match="domestic card subscriptions"):
        client.subscription.edit(card["id"], {"quantity": 2, "schedule_change_at": "cycle_end"})
    with pytest.raises(BadRequestError, match="payment mode is UPI"):
        client.subscription.edit(upi["id"], {"quantity": 2})
    answer = raw(env, "PATCH", f"/v1/subscriptions/{emandate['id']}", json={"quantity": 2})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["description"]) == (
        "BAD_REQUEST_ERROR",
        "subscriptions cannot be updated when payment mode is eMandate",
    )
    # and a domestic card gets past the method rule only for an offer at cycle end
    with pytest.raises(BadRequestError, match="The id provided does not exist"):
        client.subscription.edit(
            card["id"], {"offer_id": "offer_00000000000000", "schedule_change_at": "cycle_end"}
        )


def test_update_now_and_at_cycle_end(env: Env, client: razorpay.Client) -> None:
    # given an active subscription paid with an international card
    sub = subscription(client, total_count=6)
    handler = pay(env, subscription_id=sub["id"], international=True)
    assert client.payment.fetch(handler["razorpay_payment_id"])["international"] is True
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


def test_plan_change_to_another_period_counts_cycles_from_the_change(
    env: Env, client: razorpay.Client
) -> None:
    # given an active monthly subscription (international card) moving to a yearly plan
    sub = subscription(client, total_count=12)
    pay(env, subscription_id=sub["id"], international=True)
    yearly = plan(client, period="yearly", amount=100000, name="Pro yearly")
    scheduled = client.subscription.edit(
        sub["id"], {"plan_id": yearly["id"], "schedule_change_at": "cycle_end"}
    )
    preview = client.subscription.pending_update(sub["id"])
    # when the cycle end where the change takes effect arrives
    boundary = scheduled["current_end"]
    advance(env, seconds=boundary - now(env))
    # then yearly cycles are counted from that boundary, and end_at is the 11th one's start
    after = client.subscription.fetch(sub["id"])
    start = ist_date(boundary)
    assert (after["plan_id"], after["current_start"]) == (yearly["id"], boundary)
    assert (after["paid_count"], after["remaining_count"]) == (2, 10)
    assert after["current_end"] == after["charge_at"] == ist_midnight(years_after(start, 1))
    assert after["end_at"] == preview["end_at"] == ist_midnight(years_after(start, 10))
    invoices = client.invoice.all({"subscription_id": sub["id"]})["items"]
    assert invoices[0]["amount"] == 100000


def test_resume_after_the_paused_cycle_ended_moves_end_at(
    env: Env, client: razorpay.Client
) -> None:
    # given a 3-cycle subscription paused past the end of its first cycle
    sub = active_subscription(env, client, total_count=3)
    client.subscription.pause(sub["id"], {"pause_at": "now"})
    advance(env, days=70)
    # when it is resumed and runs to the end
    resumed = client.subscription.resume(sub["id"], {"resume_at": "now"})
    advance(env, days=100)
    # then billing restarted at the resume, and end_at moved with it
    done = client.subscription.fetch(sub["id"])
    assert (done["status"], done["paid_count"]) == ("completed", 3)
    assert resumed["end_at"] > resumed["charge_at"] > sub["end_at"]
    assert done["ended_at"] == done["end_at"] == resumed["end_at"]


def test_cancel_scheduled_changes(env: Env, client: razorpay.Client) -> None:
    sub = subscription(client)
    pay(env, subscription_id=sub["id"], international=True)
    client.subscription.edit(sub["id"], {"quantity": 3, "schedule_change_at": "cycle_end"})
    cancelled = client.subscription.cancel_scheduled_changes(sub["id"])
    assert cancelled["has_scheduled_changes"] is False
    with pytest.raises(BadRequestError, match="scheduled changes"):
        client.subscription.pending_update(sub["id"])
