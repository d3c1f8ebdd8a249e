"""Orders for one-time purchases, payments, refunds (with X-Refund-Idempotency), invoices."""

from __future__ import annotations

import pytest
import razorpay
from razorpay.errors import BadRequestError

from razorpay_sandbox.tests.builders import (
    Env,
    active_subscription,
    control,
    events_about,
    pay,
    raw,
)

Entity = dict[str, object]


def paid_order(env: Env, client: razorpay.Client, *, amount: int = 50000) -> tuple[Entity, str]:
    order = client.order.create({"amount": amount, "currency": "INR", "receipt": "rcpt-1"})
    handler = pay(env, order_id=order["id"])
    return order, str(handler["razorpay_payment_id"])


def test_order_create_fetch_pay(env: Env, client: razorpay.Client) -> None:
    # given an order
    order = client.order.create({"amount": 50000, "currency": "INR", "receipt": "r1"})
    assert (order["status"], order["amount_due"], order["attempts"]) == ("created", 50000, 0)
    # when a first attempt fails and a second succeeds
    failed = pay(env, order_id=order["id"], outcome="fail", reason="payment_timed_out")
    assert client.order.fetch(order["id"])["status"] == "attempted"
    handler = pay(env, order_id=order["id"])
    # then the order is paid, and lists both payments
    paid = client.order.fetch(order["id"])
    assert (paid["status"], paid["amount_paid"], paid["amount_due"], paid["attempts"]) == (
        "paid",
        50000,
        0,
        2,
    )
    payments = client.order.payments(order["id"])["items"]
    assert {p["id"] for p in payments} == {
        handler["razorpay_payment_id"],
        failed["error"]["metadata"]["payment_id"],
    }
    assert pay(env, order_id=order["id"])["error"]["code"] == "BAD_REQUEST_ERROR"


def test_order_rules(client: razorpay.Client) -> None:
    with pytest.raises(BadRequestError, match="amount"):
        client.order.create({"amount": 50, "currency": "INR"})
    with pytest.raises(BadRequestError, match="currency"):
        client.order.create({"amount": 5000})
    with pytest.raises(BadRequestError, match="receipt"):
        client.order.create({"amount": 5000, "currency": "INR", "receipt": "r" * 41})
    # amounts sent as digit strings are accepted, as the SDK's own fixture sends them
    assert client.order.create({"amount": "100", "currency": "INR"})["amount"] == 100


def test_failed_payment_fields(env: Env, client: razorpay.Client) -> None:
    order = client.order.create({"amount": 5000, "currency": "INR"})
    failed = pay(env, order_id=order["id"], outcome="fail", reason="gateway_technical_error")
    payment = client.payment.fetch(failed["error"]["metadata"]["payment_id"])
    assert payment["status"] == "failed" and payment["captured"] is False
    assert (payment["error_code"], payment["error_reason"]) == (
        "GATEWAY_ERROR",
        "gateway_technical_error",
    )
    assert failed["error"]["metadata"]["order_id"] == order["id"]


def test_partial_then_full_refund(env: Env, client: razorpay.Client) -> None:
    # given a captured payment of ₹500
    _, payment_id = paid_order(env, client)
    # when ₹200 is refunded
    refund = client.payment.refund(payment_id, {"amount": 20000, "notes": {"why": "goodwill"}})
    partial = client.payment.fetch(payment_id)
    # then it stays captured with a partial refund status
    assert refund["id"].startswith("rfnd_") and refund["status"] == "processed"
    assert (partial["status"], partial["refund_status"], partial["amount_refunded"]) == (
        "captured",
        "partial",
        20000,
    )
    # when the rest is refunded (no amount = the remainder)
    client.payment.refund(payment_id, {"speed": "optimum"})
    full = client.payment.fetch(payment_id)
    assert (full["status"], full["refund_status"], full["amount_refunded"]) == (
        "refunded",
        "full",
        50000,
    )
    with pytest.raises(BadRequestError, match="fully refunded already"):
        client.payment.refund(payment_id, {"amount": 100})


def test_refund_over_the_captured_amount(env: Env, client: razorpay.Client) -> None:
    _, payment_id = paid_order(env, client, amount=1000)
    with pytest.raises(BadRequestError, match="greater than amount captured"):
        client.payment.refund(payment_id, {"amount": 1001})
    assert client.payment.fetch(payment_id)["amount_refunded"] == 0


def test_refund_idempotency_key(env: Env, client: razorpay.Client) -> None:
    _, payment_id = paid_order(env, client)
    key = {"X-Refund-Idempotency": "refund-key-0001"}
    first = client.payment.refund(payment_id, {"amount": 1000}, headers=key)
    again = client.payment.refund(payment_id, {"amount": 1000}, headers=key)
    assert again == first
    assert client.payment.fetch(payment_id)["amount_refunded"] == 1000
    # the same key with another body is a 409, raised by the SDK as BadRequestError
    with pytest.raises(BadRequestError, match="Different request with the same idempotency key"):
        client.payment.refund(payment_id, {"amount": 2000}, headers=key)
    conflict = raw(
        env, "POST", f"/v1/payments/{payment_id}/refund", json={"amount": 2000}, headers=key
    )
    assert conflict.status_code == 409
    with pytest.raises(BadRequestError, match="idempotency key"):
        client.payment.refund(payment_id, {"amount": 1}, headers={"X-Refund-Idempotency": "short"})


def test_refund_fetch_and_lists(env: Env, client: razorpay.Client) -> None:
    _, payment_id = paid_order(env, client)
    one = client.payment.refund(payment_id, {"amount": 1000})
    two = client.payment.refund(payment_id, {"amount": 2000, "receipt": "r-2"})
    assert client.refund.fetch(one["id"]) == one
    assert [r["id"] for r in client.payment.fetch_multiple_refund(payment_id)["items"]] == [
        two["id"],
        one["id"],
    ]
    assert client.payment.fetch_refund_id(payment_id, two["id"])["receipt"] == "r-2"
    assert client.refund.all()["count"] == 2


def test_payment_list_and_card(env: Env, client: razorpay.Client) -> None:
    _, payment_id = paid_order(env, client)
    assert [p["id"] for p in client.payment.all()["items"]] == [payment_id]
    assert client.payment.fetchCardDetails(payment_id)["entity"] == "card"
    expanded = client.payment.fetch(payment_id, {"expand[]": "card"})
    assert expanded["card"]["id"] == expanded["card_id"]


def test_subscription_payment_refund_and_invoice(env: Env, client: razorpay.Client) -> None:
    sub = active_subscription(env, client)
    invoice = client.invoice.all({"subscription_id": sub["id"]})["items"][0]
    assert client.invoice.fetch(invoice["id"]) == invoice
    assert invoice["line_items"][0]["type"] == "plan" and invoice["amount"] == 10000
    client.payment.refund(invoice["payment_id"], {"amount": 5000})
    assert client.payment.fetch(invoice["payment_id"])["refund_status"] == "partial"


def test_a_held_refund_stays_pending_then_fails_or_is_processed(
    env: Env, client: razorpay.Client
) -> None:
    # given refunds held pending, and two partial refunds of one payment
    _, payment_id = paid_order(env, client, amount=10000)
    assert control(env, "/control/refunds/hold", {"hold": True}) == {"hold": True}
    failing = client.payment.refund(payment_id, {"amount": 3000})
    passing = client.payment.refund(payment_id, {"amount": 2000})
    assert (failing["status"], passing["status"]) == ("pending", "pending")
    assert client.payment.fetch(payment_id)["amount_refunded"] == 5000

    # when Razorpay fails the first and processes the second
    failed = control(env, f"/control/refunds/{failing['id']}/fail")
    control(env, f"/control/refunds/{passing['id']}/process")

    # then the failed one's money is the merchant's again, and each sent its events
    assert failed["status"] == "failed" and client.refund.fetch(failing["id"]) == failed
    payment = client.payment.fetch(payment_id)
    assert (payment["amount_refunded"], payment["refund_status"]) == (2000, "partial")
    assert events_about(env, failing["id"]) == ["refund.created", "refund.failed"]
    assert events_about(env, passing["id"]) == ["refund.created", "refund.processed"]

    # and both statuses are final: neither can end again
    for refund in (failing, passing):
        again = raw(env, "POST", f"/control/refunds/{refund['id']}/fail")
        assert again.status_code == 400 and "only a pending refund" in again.text


def test_a_failed_full_refund_leaves_the_payment_captured(
    env: Env, client: razorpay.Client
) -> None:
    # given a full refund held pending: the payment shows refunded
    _, payment_id = paid_order(env, client, amount=5000)
    control(env, "/control/refunds/hold", {"hold": True})
    refund = client.payment.refund(payment_id, {})
    assert client.payment.fetch(payment_id)["status"] == "refunded"

    # when it fails
    control(env, f"/control/refunds/{refund['id']}/fail")

    # then the payment is captured again, with nothing refunded, and can be refunded anew
    payment = client.payment.fetch(payment_id)
    assert (payment["status"], payment["amount_refunded"], payment["refund_status"]) == (
        "captured",
        0,
        None,
    )
    control(env, "/control/refunds/hold", {"hold": False})
    assert client.payment.refund(payment_id, {})["status"] == "processed"
