"""Parsers against Razorpay's own sample entities, including their quirks."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from api.gateway import (
    MalformedEntity,
    parse_customer,
    parse_invoice,
    parse_payment,
    parse_plan,
    parse_refund,
    parse_subscription,
)
from tests.gateway.builders import payment_json, sample, sample_bytes, subscription_json


def test_subscription_sample_parses_times_as_aware_utc() -> None:
    # given Razorpay's sample subscription, with notes serialised as []
    data = sample("fake_subscription.json")

    # when
    subscription = parse_subscription(data)

    # then
    assert subscription.id == "sub_8kip7ybbcOyc9J"
    assert subscription.status == "active"
    assert subscription.current_end == datetime(2017, 12, 2, 18, 30, tzinfo=UTC)
    assert subscription.current_start is not None
    assert subscription.current_start.tzinfo is UTC
    assert subscription.ended_at is None
    assert subscription.paid_count == 1
    assert subscription.remaining_count is None
    assert subscription.total_count == 6
    assert dict(subscription.notes) == {}


def test_cancelled_subscription_sample_has_no_current_period() -> None:
    subscription = parse_subscription(sample("fake_subscription_cancelled.json"))

    assert subscription.status == "cancelled"
    assert subscription.current_start is None
    assert subscription.charge_at is None
    assert subscription.customer_id is None
    assert subscription.ended_at == datetime.fromtimestamp(1508767050, UTC)


def test_paused_subscription_sample_keeps_notes_and_counts() -> None:
    subscription = parse_subscription(sample("fake_subscription_paused.json"))

    assert subscription.status == "paused"
    assert subscription.remaining_count == 5
    assert subscription.has_scheduled_changes is True
    assert subscription.notes["magento_quote_id"] == "25"


def test_plan_sample_and_collection_parse() -> None:
    plan = parse_plan(sample("fake_plan.json"))
    page = [parse_plan(item) for item in sample("plan_collection.json")["items"]]

    assert (plan.id, plan.name, plan.amount, plan.currency) == (
        "plan_8kihN0YqhnF8a7",
        "test plan",
        20000,
        "INR",
    )
    assert (plan.period, plan.interval, plan.item_id) == ("monthly", 2, "item_8kihN0AVflTXjt")
    assert page[1].notes == {"undefined": "random"}


def test_customer_sample_with_numeric_contact_and_list_notes() -> None:
    # given the SDK's sample, which is not valid JSON as shipped (a trailing comma)
    text = sample_bytes("fake_customer.json").decode()
    data = json.loads(re.sub(r",\s*}", "}", text))

    customer = parse_customer(data)

    assert customer.contact == "9876543210"
    assert customer.email == "test@test.com"
    assert dict(customer.notes) == {}


def test_customer_collection_tolerates_the_misspelt_created_at() -> None:
    customer = parse_customer(sample("customer_collection.json")["items"][0])

    assert customer.id == "cust_1Aa00000000001"
    assert customer.created_at is None


def test_payment_samples_derive_captured_from_status_when_absent() -> None:
    created = parse_payment(sample("fake_payment.json"))
    captured = parse_payment(sample("fake_captured_payment.json"))

    assert created.captured is False
    assert captured.captured is True
    assert captured.refund_status is None
    assert captured.amount_refunded == 0


def test_webhook_payment_entity_parses() -> None:
    entity = sample("fake_payment_authorized_webhook.json")["payload"]["payment"]["entity"]

    payment = parse_payment(entity)

    assert payment.order_id == "order_100000000order"
    assert payment.method == "card"
    assert payment.notes == {"merchant_order_id": "random order id"}


def test_payment_captured_as_string_one() -> None:
    payment = parse_payment(payment_json(captured="1", status="captured"))

    assert payment.captured is True


def test_payment_keeps_only_last4_and_network_of_the_card() -> None:
    # given a payment fetched with expand[]=card
    payment = parse_payment(payment_json(card=sample("fake_card_detail_payment.json")))

    assert (payment.card_last4, payment.card_network) == ("3335", "Visa")
    kept = {name for name in payment.__slots__ if name.startswith("card")}
    assert kept == {"card_last4", "card_network"}


def test_refund_samples_parse_with_and_without_speeds() -> None:
    full = parse_refund(sample("fake_refund.json"))
    minimal = parse_refund(sample("refund_collection.json")["items"][0])

    assert (full.speed_requested, full.speed_processed) == ("optimum", "normal")
    assert full.receipt == "#126"
    assert full.status == "processed"
    assert minimal.status is None
    assert minimal.speed_requested is None
    assert dict(minimal.notes) == {}


def test_invoice_sample_and_collection_parse() -> None:
    invoice = parse_invoice(sample("fake_invoice.json"))
    page = [parse_invoice(item) for item in sample("invoice_collection.json")["items"]]

    assert (invoice.status, invoice.amount, invoice.paid_at) == ("issued", 100, None)
    assert invoice.subscription_id is None
    assert [i.id for i in page] == ["random_id", "random_id_2"]


def test_entities_are_frozen_and_hashable() -> None:
    subscription = parse_subscription(subscription_json())

    with pytest.raises(AttributeError):
        subscription.plan_id = "plan_0000000000002"  # type: ignore[misc]
    assert hash(subscription) == hash(parse_subscription(subscription_json()))


@pytest.mark.parametrize(
    "broken",
    [
        subscription_json(id=None),
        subscription_json(status=""),
        subscription_json(status="on_hold"),
        subscription_json(paid_count="many"),
        subscription_json(current_end=10**20),
        subscription_json(notes="free text"),
        subscription_json(entity="payment"),
    ],
)
def test_unreadable_subscription_raises_malformed_entity(broken: dict[str, object]) -> None:
    with pytest.raises(MalformedEntity):
        parse_subscription(broken)


def test_a_payment_or_refund_status_razorpay_never_documented_is_malformed() -> None:
    with pytest.raises(MalformedEntity, match="'status' is not a PaymentStatus"):
        parse_payment(payment_json(status="disputed"))
    with pytest.raises(MalformedEntity, match="'status' is not a RefundStatus"):
        parse_refund(sample("fake_refund.json") | {"status": "reversed"})
