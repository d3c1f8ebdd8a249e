"""Plans (create, fetch, list) and customers (create with fail_existing, fetch, edit, list)."""

from __future__ import annotations

import pytest
import razorpay
from razorpay.errors import BadRequestError

from razorpay_sandbox.tests.builders import plan


def test_plan_create_fetch_list(client: razorpay.Client) -> None:
    # given a Pro plan
    created = plan(client, amount=10000)
    # when it is fetched and listed
    fetched = client.plan.fetch(created["id"])
    listed = client.plan.all()
    # then it is the same entity, with Razorpay's ids and an empty notes list
    assert fetched == created
    assert created["id"].startswith("plan_") and len(created["id"]) == 19
    assert created["item"]["id"].startswith("item_")
    assert created["item"]["amount"] == created["item"]["unit_amount"] == 10000
    assert created["notes"] == []
    assert listed["items"] == [created]


def test_plan_rules(client: razorpay.Client) -> None:
    item = {"name": "Pro", "amount": 10000, "currency": "INR"}
    with pytest.raises(BadRequestError, match="interval"):
        client.plan.create({"period": "daily", "interval": 6, "item": item})
    with pytest.raises(BadRequestError, match="period"):
        client.plan.create({"period": "hourly", "interval": 1, "item": item})
    with pytest.raises(BadRequestError, match=r"at least INR 1\.00"):
        client.plan.create({"period": "monthly", "interval": 1, "item": {**item, "amount": 99}})


def test_notes_are_kept_and_limited(client: razorpay.Client) -> None:
    item = {"name": "Pro", "amount": 10000, "currency": "INR"}
    body = {"period": "monthly", "interval": 1, "item": item, "notes": {"tier": "pro", "n": 1}}
    assert client.plan.create(body)["notes"] == {"tier": "pro", "n": "1"}
    too_many = {f"k{i}": "v" for i in range(16)}
    with pytest.raises(BadRequestError, match="notes"):
        client.plan.create({**body, "notes": too_many})
    with pytest.raises(BadRequestError, match="notes"):
        client.plan.create({**body, "notes": {"long": "x" * 257}})


def test_customer_fail_existing(client: razorpay.Client) -> None:
    # given a customer
    details = {"name": "Gaurav Kumar", "email": "g@example.com", "contact": "+919876543210"}
    created = client.customer.create(details)
    # when the same person is created again
    with pytest.raises(BadRequestError, match="Customer already exists for the merchant"):
        client.customer.create(details)
    again = client.customer.create({**details, "fail_existing": "0"})
    # then fail_existing "0" returns the existing customer
    assert again == created
    assert created["id"].startswith("cust_")
    assert client.customer.fetch(created["id"]) == created


def test_customer_edit_and_list(client: razorpay.Client) -> None:
    one = client.customer.create({"name": "Ana Maria", "email": "a@example.com"})
    two = client.customer.create({"name": "Bob Stone", "email": "b@example.com"})
    edited = client.customer.edit(one["id"], {"name": "Ana Silva", "contact": "9876543210"})
    assert edited["name"] == "Ana Silva" and edited["contact"] == "9876543210"
    assert client.customer.fetch(one["id"])["name"] == "Ana Silva"
    assert [c["id"] for c in client.customer.all()["items"]] == [two["id"], one["id"]]
    with pytest.raises(BadRequestError, match="is/are not required"):
        client.customer.edit(one["id"], {"gstin": "29XAbbA4369J1PA"})


def test_customer_contact_rule(client: razorpay.Client) -> None:
    with pytest.raises(BadRequestError, match="Contact number should be at least 8 digits"):
        client.customer.create({"name": "Short Phone", "contact": "12345"})
