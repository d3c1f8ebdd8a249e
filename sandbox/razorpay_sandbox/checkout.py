"""The customer's side of Standard Checkout: pay a subscription or an order, and return exactly
what Checkout hands to the page's `handler` (or to `payment.failed` on failure)."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.authentication import authenticate
from razorpay_sandbox.charging import Outcome, charge
from razorpay_sandbox.core import Core
from razorpay_sandbox.entities.customers import contact, email
from razorpay_sandbox.entities.payments import METHODS, Payer
from razorpay_sandbox.errors import ApiError, invalid
from razorpay_sandbox.signatures import order_payment_signature, subscription_payment_signature

Entity = dict[str, Any]
FIELDS = (
    "subscription_id",
    "order_id",
    "outcome",
    "reason",
    "method",
    "international",
    "email",
    "contact",
    "amount",
)


def pay(core: Core, body: v.Body, extra: tuple[str, ...] = ()) -> Entity:
    v.only(body, (*FIELDS, *extra))
    outcome = Outcome.parse(body)
    payer = payer_of(body)
    if body.get("amount") is not None and not body.get("order_id"):
        raise invalid("Only an order payment takes an amount.", "amount")
    if body.get("subscription_id"):
        return pay_subscription(core, str(body["subscription_id"]), payer, outcome)
    if body.get("order_id"):
        # A test knob: Razorpay's Checkout charges the order's amount; a different `amount` plays
        # a tampered integration, so the service's check against the expected price can be seen.
        paid = v.amount(body, required_=False)
        return pay_order(core, str(body["order_id"]), payer, outcome, amount=paid)
    raise invalid("The subscription_id or order_id field is required.", "order_id")


def payer_of(body: v.Body) -> Payer:
    method = v.choice(body, "method", METHODS, default="card")
    international = v.flag(body, "international", default=False)
    if international and method != "card":
        raise invalid("Only a card can be international.", "international")
    return Payer(
        email=email(body) or Payer.email,
        contact=contact(body) or Payer.contact,
        method=method,
        international=international,
    )


def pay_subscription(core: Core, subscription_id: str, payer: Payer, outcome: Outcome) -> Entity:
    subscription = core.store.get("subscription", subscription_id)
    payment = authenticate(core, subscription, payer, outcome)
    if payment["status"] == "failed":
        return failure_response(payment)
    secret = core.config.credentials.key_secret
    return {
        "razorpay_payment_id": payment["id"],
        "razorpay_subscription_id": subscription_id,
        "razorpay_signature": subscription_payment_signature(
            secret, payment["id"], subscription_id
        ),
    }


def pay_order(
    core: Core, order_id: str, payer: Payer, outcome: Outcome, *, amount: int | None = None
) -> Entity:
    order = core.store.get("order", order_id)
    if order["status"] == "paid":
        raise ApiError("Order has already been paid.", field="order_id")
    payment = charge(core, order=order, payer=payer, outcome=outcome, amount=amount)
    if payment["status"] == "failed":
        return failure_response(payment)
    secret = core.config.credentials.key_secret
    return {
        "razorpay_payment_id": payment["id"],
        "razorpay_order_id": order_id,
        "razorpay_signature": order_payment_signature(secret, order_id, payment["id"]),
    }


def failure_response(payment: Entity) -> Entity:
    """What Checkout passes to `rzp.on('payment.failed', ...)`."""
    return {
        "error": {
            "code": payment["error_code"],
            "description": payment["error_description"],
            "source": payment["error_source"],
            "step": payment["error_step"],
            "reason": payment["error_reason"],
            "metadata": {"payment_id": payment["id"], "order_id": payment["order_id"]},
        }
    }
