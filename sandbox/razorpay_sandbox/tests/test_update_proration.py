"""An immediate PATCH settles the prorated difference of the current cycle: a charge on an
invoice of its own (upgrade) or a refund (downgrade), at least 50 paise, and a failed charge
leaves the subscription as it was."""

from __future__ import annotations

from typing import Any

import pytest
import razorpay
from razorpay.errors import BadRequestError

from razorpay_sandbox.tests.builders import (
    Env,
    advance,
    events_about,
    next_charge,
    now,
    pay,
    plan,
    subscription,
)

Entity = dict[str, Any]


def card_subscription(env: Env, client: razorpay.Client, *, amount: int) -> Entity:
    sub = subscription(client, plan_id=plan(client, amount=amount)["id"])
    pay(env, subscription_id=sub["id"], international=True)
    fetched: Entity = client.subscription.fetch(sub["id"])
    return fetched


def prorated(sub: Entity, difference: int, at: int) -> float:
    unused, cycle = sub["current_end"] - at, sub["current_end"] - sub["current_start"]
    return float(difference * unused / cycle)


def test_upgrade_now_charges_the_prorated_difference(env: Env, client: razorpay.Client) -> None:
    # given a ₹100 subscription paid by an international card, ten days into its cycle
    sub = card_subscription(env, client, amount=10000)
    bigger = plan(client, amount=149900, name="Teams")
    advance(env, days=10)
    # when it moves to the ₹1,499 plan now
    before = now(env)
    updated = client.subscription.edit(sub["id"], {"plan_id": bigger["id"]})
    after = now(env)
    # then the unused part of the cycle is charged at the difference, on an invoice of its own
    assert updated["plan_id"] == bigger["id"] and updated["charge_at"] == sub["charge_at"]
    invoice = client.invoice.all({"subscription_id": sub["id"]})["items"][0]
    charged = client.payment.fetch(invoice["payment_id"])
    assert (invoice["status"], charged["status"]) == ("paid", "captured")
    expected = (prorated(sub, 139900, after), prorated(sub, 139900, before))
    assert expected[0] - 1 <= invoice["amount"] == charged["amount"] <= expected[1] + 1
    assert 0 < invoice["amount"] < 139900
    assert "subscription.updated" in events_about(env, sub["id"])


def test_downgrade_now_refunds_the_prorated_difference(env: Env, client: razorpay.Client) -> None:
    # given a ₹1,499 subscription paid by an international card, ten days into its cycle
    sub = card_subscription(env, client, amount=149900)
    smaller = plan(client, amount=10000)
    advance(env, days=10)
    # when it moves down to ₹100 now
    before = now(env)
    client.subscription.edit(sub["id"], {"plan_id": smaller["id"]})
    after = now(env)
    # then the difference for the unused time is refunded against its payment
    paid = client.invoice.all({"subscription_id": sub["id"]})["items"][0]["payment_id"]
    refunds = client.payment.fetch_multiple_refund(paid)["items"]
    assert len(refunds) == 1 and refunds[0]["status"] == "processed"
    assert prorated(sub, 139900, after) - 1 <= refunds[0]["amount"]
    assert refunds[0]["amount"] <= prorated(sub, 139900, before) + 1
    assert client.payment.fetch(paid)["refund_status"] == "partial"


def test_failed_prorated_charge_leaves_the_subscription(env: Env, client: razorpay.Client) -> None:
    # given a subscription whose next charge will fail
    sub = card_subscription(env, client, amount=10000)
    bigger = plan(client, amount=149900)
    next_charge(env, sub["id"], outcome="fail", reason="insufficient_fund")
    # when it is upgraded now, then the update is refused and nothing changed
    with pytest.raises(BadRequestError, match="not updated"):
        client.subscription.edit(sub["id"], {"plan_id": bigger["id"]})
    assert client.subscription.fetch(sub["id"])["plan_id"] == sub["plan_id"]
    assert "subscription.updated" not in events_about(env, sub["id"])


def test_difference_under_50_paise_is_refused(env: Env, client: razorpay.Client) -> None:
    # given a ₹100 subscription and a plan one paisa dearer
    sub = card_subscription(env, client, amount=10000)
    nearly = plan(client, amount=10001)
    # when it changes to that plan now, then Razorpay's 50-paise rule refuses it
    with pytest.raises(BadRequestError, match="at least 50 paise"):
        client.subscription.edit(sub["id"], {"plan_id": nearly["id"]})
    # and at cycle end there is nothing to prorate, so it is scheduled
    later = client.subscription.edit(
        sub["id"], {"plan_id": nearly["id"], "schedule_change_at": "cycle_end"}
    )
    assert later["has_scheduled_changes"] is True


def test_authenticated_trial_changes_plan_without_money(env: Env, client: razorpay.Client) -> None:
    # given a future-start subscription authenticated by an international card
    sub = subscription(client, start_at=now(env) + 14 * 86_400)
    pay(env, subscription_id=sub["id"], international=True)
    bigger = plan(client, amount=149900)
    # when its plan changes now, then nothing is charged and the first charge is the new amount
    client.subscription.edit(sub["id"], {"plan_id": bigger["id"]})
    assert client.invoice.all({"subscription_id": sub["id"]})["items"] == []
    advance(env, days=15)
    invoice = client.invoice.all({"subscription_id": sub["id"]})["items"][0]
    assert (invoice["amount"], invoice["status"]) == (149900, "paid")
