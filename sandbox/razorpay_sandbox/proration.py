"""The money of an immediate update (Razorpay's "Update Subscriptions Immediately"): the new
amount minus the old one for the unused part of the current cycle, charged on an invoice of its
own (the update is refused when that charge fails) or refunded against the subscription's
payments, newest first (Razorpay's credit note). A difference under 50 paise is refused."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from razorpay_sandbox.charging import charge
from razorpay_sandbox.core import Core
from razorpay_sandbox.cycles import next_outcome, payer_for, plan_of
from razorpay_sandbox.entities import invoices, orders, payments
from razorpay_sandbox.errors import ApiError
from razorpay_sandbox.periods import boundary
from razorpay_sandbox.refunding import refund

Entity = dict[str, Any]
MINIMUM_DIFFERENCE = 50  # paise
TOO_SMALL = "The prorated amount difference must be at least 50 paise for an immediate update."
CHARGE_FAILED = "The payment for the prorated amount failed, so the subscription was not updated."
REFUND_NOTE = "Prorated refund for a subscription update"


def difference(core: Core, subscription: Entity, changes: dict[str, Any]) -> int:
    """Paise owed (> 0) or to refund (< 0) for the rest of the current, already paid cycle.

    Each plan's rate is its cycle amount over its own cycle length from `current_start`, so a
    plan with another period is priced for the same unused seconds."""
    start, end = subscription["current_start"], subscription["current_end"]
    if subscription["status"] != "active" or start is None or end is None:
        return 0  # nothing paid for yet (an authenticated subscription): nothing to prorate
    unused = max(0, end - core.now())
    before = rate(plan_of(core, subscription), subscription["quantity"], start)
    new = {**subscription, **changes}
    after = rate(core.store.get("plan", new["plan_id"]), new["quantity"], start)
    owed: Fraction = (after - before) * unused
    return round(owed)


def rate(plan: Entity, quantity: int, start: int) -> Fraction:
    length = boundary(start, plan["period"], plan["interval"], 1) - start
    return Fraction(int(plan["item"]["amount"]) * quantity, max(1, length))


def settle(core: Core, subscription: Entity, owed: int) -> None:
    """Charge or refund `owed` before the update is applied; raise if it cannot be."""
    if owed == 0:
        return
    if abs(owed) < MINIMUM_DIFFERENCE:
        raise ApiError(TOO_SMALL)
    if owed > 0:
        charge_difference(core, subscription, owed)
    else:
        refund_difference(core, subscription, -owed)


def charge_difference(core: Core, subscription: Entity, amount: int) -> None:
    plan = plan_of(core, subscription)
    item = {**plan["item"], "name": f"{plan['item']['name']} (prorated update)"}
    line = {**invoices.line_item(item, 1, "plan"), "amount": amount, "unit_amount": amount}
    line.update(gross_amount=amount, taxable_amount=amount, net_amount=amount)
    order = orders.order_entity(
        amount=amount, currency_=item["currency"], receipt=None, notes={}, now=core.now()
    )
    invoice = invoices.new_invoice(
        subscription=subscription,
        order=order,
        lines=[line],
        customer=core.store.find("customer", subscription["customer_id"] or ""),
        period=(core.now(), subscription["current_end"]),
        now=core.now(),
    )
    core.store.add(order)
    core.store.add(invoice)
    payer, outcome = payer_for(core, subscription), next_outcome(core, subscription)
    paid = charge(core, order=order, payer=payer, outcome=outcome, invoice=invoice)
    if paid["status"] != "captured":
        raise ApiError(CHARGE_FAILED)


def refund_difference(core: Core, subscription: Entity, amount: int) -> None:
    for payment in captured_payments(core, subscription):
        part = min(amount, payments.refundable(payment))
        if part > 0:
            refund(core, payment, part, notes={"subscription_id": subscription["id"]})
            amount -= part
        if amount == 0:
            return


def captured_payments(core: Core, subscription: Entity) -> list[Entity]:
    invoice_ids = {
        invoice["id"]
        for invoice in core.store.all("invoice")
        if invoice["subscription_id"] == subscription["id"]
    }
    paid = [
        payment
        for payment in core.store.all("payment")
        if payment["invoice_id"] in invoice_ids and payment["status"] in ("captured", "refunded")
    ]
    return sorted(paid, key=lambda payment: payment["created_at"], reverse=True)
