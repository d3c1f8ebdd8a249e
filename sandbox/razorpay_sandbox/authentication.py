"""A subscription's authentication transaction, as Checkout runs it (FACTS §3 table).

Immediate start: the first cycle is charged at authentication (plan amount x quantity + addons),
with an invoice, and the subscription becomes active. Future start: a ₹5 token payment,
refunded at once, and the subscription becomes authenticated (with addons: the upfront amount
is charged with an invoice instead, and kept).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from razorpay_sandbox import refunding
from razorpay_sandbox.charging import Outcome, charge
from razorpay_sandbox.core import Core
from razorpay_sandbox.cycles import book, invoice_for, issue_invoice, plan_of, start_cycle
from razorpay_sandbox.entities import invoices, orders
from razorpay_sandbox.entities.payments import Payer
from razorpay_sandbox.entities.subscriptions import last_cycle_start
from razorpay_sandbox.errors import ApiError
from razorpay_sandbox.lifecycle import charged

Entity = dict[str, Any]
TOKEN_AMOUNT = 500
NOT_PAYABLE = "Customer payment is not allowed for the Subscription at this stage."


def authenticate(core: Core, subscription: Entity, payer: Payer, outcome: Outcome) -> Entity:
    if subscription["status"] != "created":
        raise ApiError(NOT_PAYABLE, field="subscription_id")
    future = subscription["start_at"] is not None
    # Checkout knows the customer before it charges, so the payment, the first invoice and
    # their webhooks already carry them.
    customer = refunding.customer_for(core, payer)
    payer = replace(payer, customer_id=customer["id"])
    invoice = upfront_invoice(core, subscription, future=future)
    if invoice is not None:
        invoices.bill_to(invoice, customer)
    order = (
        core.store.get("order", invoice["order_id"]) if invoice else token_order(core, subscription)
    )
    payment = charge(core, order=order, payer=payer, outcome=outcome, invoice=invoice)
    if payment["status"] == "captured":
        authenticated(core, subscription, payment, payer, future=future)
    return payment


def upfront_invoice(core: Core, subscription: Entity, *, future: bool) -> Entity | None:
    """The invoice the authentication pays, kept across failed attempts (none for a bare token)."""
    ledger = book(core, subscription)
    invoice = core.store.find("invoice", ledger.invoice_id or "")
    if invoice is None and not (future and not ledger.addons):
        invoice = first_invoice(core, subscription, future=future)
    return invoice


def first_invoice(core: Core, subscription: Entity, *, future: bool) -> Entity:
    if future:
        ledger = book(core, subscription)
        lines = [invoices.line_item(item, 1, "addon") for item in ledger.addons]
        return invoice_for(core, subscription, lines)
    return issue_invoice(core, subscription, addons=True)


def token_order(core: Core, subscription: Entity) -> Entity:
    plan = plan_of(core, subscription)
    order = orders.order_entity(
        amount=TOKEN_AMOUNT,
        currency_=plan["item"]["currency"],
        receipt=None,
        notes={},
        now=core.now(),
    )
    return core.store.add(order)


def authenticated(
    core: Core, subscription: Entity, payment: Entity, payer: Payer, *, future: bool
) -> None:
    subscription.update(customer_id=payer.customer_id, payment_method=payer.method)
    book(core, subscription).international = payer.international
    if future:
        starts_later(core, subscription, payment)
    else:
        starts_now(core, subscription, payment)


def starts_later(core: Core, subscription: Entity, payment: Entity) -> None:
    ledger = book(core, subscription)
    ledger.anchor = subscription["start_at"]
    subscription.update(status="authenticated", charge_at=subscription["start_at"])
    core.emit("subscription.authenticated", subscription)
    if payment["amount"] == TOKEN_AMOUNT and not ledger.addons:
        refunding.refund(core, payment, TOKEN_AMOUNT, notes={"reason": "authentication"})


def starts_now(core: Core, subscription: Entity, payment: Entity) -> None:
    ledger = book(core, subscription)
    ledger.anchor = payment["created_at"]
    plan = plan_of(core, subscription)
    subscription.update(
        start_at=ledger.anchor,
        end_at=last_cycle_start(plan, ledger.anchor, subscription["total_count"]),
    )
    invoice = core.store.get("invoice", ledger.invoice_id or "")
    start_cycle(core, subscription)
    invoice.update(
        billing_start=subscription["current_start"], billing_end=subscription["current_end"]
    )
    charged(core, subscription, payment)
