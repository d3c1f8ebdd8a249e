"""The subscription lifecycle as Razorpay runs it (FACTS §3), driven by the movable clock."""

from __future__ import annotations

import json

import razorpay

from razorpay_sandbox.tests.builders import (
    DAY,
    Env,
    active_subscription,
    advance,
    control,
    drain,
    events_about,
    next_charge,
    now,
    pay,
    received,
    subscription,
)


def test_immediate_start_charges_the_first_cycle_at_checkout(
    env: Env, client: razorpay.Client
) -> None:
    # given a created subscription
    sub = subscription(client, total_count=12)
    # when the customer completes checkout
    handler = pay(env, subscription_id=sub["id"])
    # then it is active, the first cycle is paid, with an invoice and a captured payment
    active = client.subscription.fetch(sub["id"])
    assert active["status"] == "active" and active["customer_id"].startswith("cust_")
    assert (active["paid_count"], active["remaining_count"], active["auth_attempts"]) == (1, 11, 0)
    assert active["current_start"] == active["start_at"] <= now(env) < active["current_end"]
    assert active["charge_at"] == active["current_end"]
    payment = client.payment.fetch(handler["razorpay_payment_id"])
    assert (payment["status"], payment["amount"], payment["captured"]) == ("captured", 10000, True)
    invoices = client.invoice.all({"subscription_id": sub["id"]})["items"]
    assert [(i["status"], i["payment_id"]) for i in invoices] == [("paid", payment["id"])]
    assert payment["invoice_id"] == invoices[0]["id"]


def test_the_first_invoice_and_its_webhook_carry_the_customer(
    env: Env, client: razorpay.Client
) -> None:
    # given a subscription paid at checkout by a customer Razorpay links at authentication
    sub = subscription(client)
    pay(env, subscription_id=sub["id"], email="ana@example.com", contact="+919876543210")
    customer_id = client.subscription.fetch(sub["id"])["customer_id"]
    # when invoices are listed by that customer
    invoices = client.invoice.all({"customer_id": customer_id})["items"]
    # then the first invoice is there, billed to them, and so is its invoice.paid webhook
    assert [i["subscription_id"] for i in invoices] == [sub["id"]]
    details = invoices[0]["customer_details"]
    assert (details["id"], details["customer_email"]) == (customer_id, "ana@example.com")
    drain(env)
    paid = next(
        json.loads(item["body"])["payload"]
        for item in env.receiver.about(sub["id"])
        if item["event"] == "invoice.paid"
    )
    assert paid["invoice"]["entity"]["customer_id"] == customer_id
    assert paid["payment"]["entity"]["customer_id"] == customer_id


def test_cycle_boundaries_fall_on_midnight_ist(env: Env, client: razorpay.Client) -> None:
    sub = active_subscription(env, client)
    # 00:00 IST is 18:30 UTC
    assert sub["current_end"] % DAY == 18 * 3600 + 30 * 60
    assert 27 * DAY < sub["current_end"] - sub["current_start"] <= 31 * DAY


def test_each_cycle_end_charges_once(env: Env, client: razorpay.Client) -> None:
    # given an active subscription
    sub = active_subscription(env, client, total_count=12)
    # when three months pass
    moved = advance(env, days=92)
    # then three renewals ran, in order, each with its own invoice and payment
    charges = [h for h in moved["happened"] if h["subscription_id"] == sub["id"]]
    assert [h["what"] for h in charges] == ["charged"] * 3
    assert [h["at"] for h in charges] == sorted(h["at"] for h in charges)
    after = client.subscription.fetch(sub["id"])
    assert (after["paid_count"], after["remaining_count"]) == (4, 8)
    assert client.invoice.all({"subscription_id": sub["id"]})["count"] == 4
    payment = client.payment.fetch(charges[0]["payment_id"])
    assert payment["description"] == "Recurring Payment via Subscription"
    assert payment["created_at"] == charges[0]["at"] == sub["current_end"]


def test_failed_renewals_retry_daily_then_halt(env: Env, client: razorpay.Client) -> None:
    # given an active subscription whose next four charges will fail
    sub = active_subscription(env, client)
    next_charge(env, sub["id"], reason="insufficient_fund", count=4)
    due = sub["charge_at"]
    # when the renewal fails: pending, retried at T+1, T+2, T+3
    advance(env, seconds=due - now(env))
    pending = client.subscription.fetch(sub["id"])
    assert (pending["status"], pending["auth_attempts"]) == ("pending", 1)
    assert pending["charge_at"] == due + DAY
    assert pending["remaining_count"] == 10  # the unpaid invoice is issued
    advance(env, days=2)
    assert client.subscription.fetch(sub["id"])["auth_attempts"] == 3
    advance(env, days=1)
    # then after the fourth failure it is halted, with the next charge at the next cycle
    halted = client.subscription.fetch(sub["id"])
    assert (halted["status"], halted["auth_attempts"], halted["paid_count"]) == ("halted", 4, 1)
    assert halted["charge_at"] == halted["current_end"]
    events = events_about(env, sub["id"])
    assert events.count("subscription.pending") == 3 and events[-1] == "subscription.halted"
    # payment events carry the payment only (invoice_id, not the subscription id)
    assert [item["event"] for item in received(env)].count("payment.failed") == 4
    failed = client.payment.all({"count": 100})["items"][0]
    assert (failed["status"], failed["error_reason"]) == ("failed", "insufficient_fund")
    assert "insufficient funds" in failed["error_description"]  # a reason the sandbox knows


def test_pending_recovers_on_a_later_successful_retry(env: Env, client: razorpay.Client) -> None:
    sub = active_subscription(env, client)
    next_charge(env, sub["id"], reason="card_declined", count=2)
    advance(env, seconds=sub["charge_at"] - now(env) + 2 * DAY)
    recovered = client.subscription.fetch(sub["id"])
    assert (recovered["status"], recovered["paid_count"], recovered["auth_attempts"]) == (
        "active",
        2,
        0,
    )
    assert recovered["charge_at"] == recovered["current_end"]
    assert events_about(env, sub["id"])[-2:] == ["subscription.charged", "subscription.activated"]


def test_halted_recovers_on_a_manual_charge(env: Env, client: razorpay.Client) -> None:
    # given a halted subscription
    sub = active_subscription(env, client)
    next_charge(env, sub["id"], count=4)
    advance(env, seconds=sub["charge_at"] - now(env) + 3 * DAY)
    assert client.subscription.fetch(sub["id"])["status"] == "halted"
    # when the unpaid invoice is charged successfully
    result = control(env, f"/control/subscriptions/{sub['id']}/charge", {"outcome": "success"})
    # then it is active again
    assert result["what"] == "recovered" and result["status"] == "active"
    assert client.subscription.fetch(sub["id"])["paid_count"] == 2


def test_halted_issues_invoices_without_charging(env: Env, client: razorpay.Client) -> None:
    sub = active_subscription(env, client)
    next_charge(env, sub["id"], count=4)
    advance(env, days=70)
    halted = client.subscription.fetch(sub["id"])
    assert halted["status"] == "halted" and halted["paid_count"] == 1
    invoices = client.invoice.all({"subscription_id": sub["id"]})["items"]
    assert [i["status"] for i in invoices] == ["issued", "issued", "paid"]


def test_completed_after_total_count(env: Env, client: razorpay.Client) -> None:
    sub = active_subscription(env, client, total_count=3)
    advance(env, days=100)
    done = client.subscription.fetch(sub["id"])
    assert (done["status"], done["paid_count"], done["remaining_count"]) == ("completed", 3, 0)
    assert done["ended_at"] == done["end_at"] and done["charge_at"] is None
    events = events_about(env, sub["id"])
    assert events[-2:] == ["subscription.charged", "subscription.completed"]


def test_future_start_is_authenticated_then_active(env: Env, client: razorpay.Client) -> None:
    # given a subscription starting in ten days
    start_at = now(env) + 10 * DAY
    sub = subscription(client, start_at=start_at, total_count=6)
    # when checkout authenticates it
    handler = pay(env, subscription_id=sub["id"])
    # then it is authenticated; the ₹5 token payment is refunded; nothing is invoiced
    authed = client.subscription.fetch(sub["id"])
    assert (authed["status"], authed["charge_at"], authed["paid_count"]) == (
        "authenticated",
        start_at,
        0,
    )
    token = client.payment.fetch(handler["razorpay_payment_id"])
    assert (token["amount"], token["status"], token["refund_status"]) == (500, "refunded", "full")
    assert client.invoice.all({"subscription_id": sub["id"]})["count"] == 0
    # when start_at arrives
    advance(env, days=10)
    # then the first cycle is charged and it is active
    active = client.subscription.fetch(sub["id"])
    assert (active["status"], active["paid_count"], active["current_start"]) == (
        "active",
        1,
        start_at,
    )
    events = events_about(env, sub["id"])
    assert events[0] == "subscription.authenticated"
    assert events[-2:] == ["subscription.activated", "subscription.charged"]


def test_future_start_with_an_addon_charges_every_plan_cycle(
    env: Env, client: razorpay.Client
) -> None:
    # given a 3-cycle subscription starting in ten days, with a setup fee
    setup = {"item": {"name": "Setup", "amount": 5000, "currency": "INR"}}
    sub = subscription(client, start_at=now(env) + 10 * DAY, total_count=3, addons=[setup])
    # when checkout charges the setup fee and every cycle runs
    pay(env, subscription_id=sub["id"])
    authed = client.subscription.fetch(sub["id"])
    advance(env, days=100)
    # then the setup invoice used up no cycle: three plan cycles, the last one at end_at
    done = client.subscription.fetch(sub["id"])
    assert (authed["status"], authed["remaining_count"]) == ("authenticated", 3)
    assert (done["status"], done["paid_count"], done["remaining_count"]) == ("completed", 3, 0)
    assert done["ended_at"] == done["end_at"] == authed["end_at"]
    invoices = client.invoice.all({"subscription_id": sub["id"]})["items"]
    kinds = sorted(line["type"] for invoice in invoices for line in invoice["line_items"])
    assert kinds == ["addon", "plan", "plan", "plan"]
    assert {invoice["status"] for invoice in invoices} == {"paid"}


def test_expires_when_not_authenticated_by_expire_by(env: Env, client: razorpay.Client) -> None:
    sub = subscription(client, expire_by=now(env) + DAY)
    advance(env, days=2)
    expired = client.subscription.fetch(sub["id"])
    assert expired["status"] == "expired"
    failed = pay(env, subscription_id=sub["id"])
    assert "not allowed for the Subscription at this stage" in failed["error"]["description"]


def test_failed_checkout_leaves_it_created(env: Env, client: razorpay.Client) -> None:
    sub = subscription(client)
    failed = pay(env, subscription_id=sub["id"], outcome="fail", reason="card_declined")
    assert failed["error"]["reason"] == "card_declined"
    assert failed["error"]["metadata"]["payment_id"].startswith("pay_")
    assert client.subscription.fetch(sub["id"])["status"] == "created"
    assert "razorpay_signature" in pay(env, subscription_id=sub["id"])
    assert client.subscription.fetch(sub["id"])["status"] == "active"
