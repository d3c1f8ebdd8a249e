"""Billing cycles of a subscription: moving to the next cycle, issuing and charging its invoice."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox.charging import Outcome, charge
from razorpay_sandbox.core import Core
from razorpay_sandbox.entities import invoices, orders, payments
from razorpay_sandbox.entities.payments import Payer
from razorpay_sandbox.periods import boundary
from razorpay_sandbox.store import SubscriptionBook

Entity = dict[str, Any]


def book(core: Core, subscription: Entity) -> SubscriptionBook:
    return core.store.book(subscription["id"])


def plan_of(core: Core, subscription: Entity) -> Entity:
    return core.store.get("plan", subscription["plan_id"])


def start_cycle(core: Core, subscription: Entity) -> None:
    ledger = book(core, subscription)
    plan = plan_of(core, subscription)
    anchor = ledger.anchor if ledger.anchor is not None else core.now()
    ledger.cycle += 1
    start, end = (
        boundary(anchor, plan["period"], plan["interval"], n)
        for n in (ledger.cycle, ledger.cycle + 1)
    )
    subscription.update(current_start=start, current_end=end)


def issue_invoice(core: Core, subscription: Entity, *, addons: bool) -> Entity:
    plan = plan_of(core, subscription)
    ledger = book(core, subscription)
    lines = [invoices.line_item(plan["item"], subscription["quantity"], "plan")]
    if addons:
        lines += [invoices.line_item(item, 1, "addon") for item in ledger.addons]
    invoice = invoice_for(core, subscription, lines)
    # remaining_count counts plan cycles not yet invoiced, paid or not (FACTS §3); an
    # upfront-only authentication invoice is not a cycle, so only cycle invoices count.
    subscription["remaining_count"] = max(0, subscription["remaining_count"] - 1)
    return invoice


def invoice_for(core: Core, subscription: Entity, lines: list[Entity]) -> Entity:
    order = orders.order_entity(
        amount=sum(int(line["amount"]) for line in lines),
        currency_=lines[0]["currency"],
        receipt=None,
        notes={},
        now=core.now(),
    )
    customer = core.store.find("customer", subscription["customer_id"] or "")
    invoice = invoices.new_invoice(
        subscription=subscription,
        order=order,
        lines=lines,
        customer=customer,
        period=(subscription["current_start"], subscription["current_end"]),
        now=core.now(),
    )
    core.store.add(order)
    core.store.add(invoice)
    book(core, subscription).invoice_id = invoice["id"]
    return invoice


def refresh_end_at(core: Core, subscription: Entity, ledger: SubscriptionBook) -> None:
    """`end_at` is the start of the last cycle (FACTS §3): `remaining_count` cycles after the
    ledger's current one, counted from its anchor."""
    plan = plan_of(core, subscription)
    last = max(0, ledger.cycle + subscription["remaining_count"])
    subscription["end_at"] = boundary(
        ledger.anchor or core.now(), plan["period"], plan["interval"], last
    )


def next_outcome(core: Core, subscription: Entity) -> Outcome:
    queued = book(core, subscription).outcomes
    if not queued:
        return Outcome()
    outcome, reason = queued.pop(0)
    return Outcome(success=outcome == "success", reason=reason)


def payer_for(core: Core, subscription: Entity) -> Payer:
    customer = core.store.get("customer", subscription["customer_id"])
    return Payer(
        email=customer["email"] or Payer.email,
        contact=customer["contact"] or Payer.contact,
        method=subscription["payment_method"] or "card",
        customer_id=customer["id"],
        international=book(core, subscription).international,
    )


def charge_invoice(core: Core, subscription: Entity, outcome: Outcome) -> Entity:
    invoice = core.store.get("invoice", book(core, subscription).invoice_id or "")
    return charge(
        core,
        order=core.store.get("order", invoice["order_id"]),
        payer=payer_for(core, subscription),
        outcome=outcome,
        invoice=invoice,
        description=payments.RECURRING,
    )
