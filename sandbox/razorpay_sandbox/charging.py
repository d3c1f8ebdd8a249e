"""One payment attempt against an order (and, for subscriptions, its invoice), with its webhooks."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.core import Core
from razorpay_sandbox.entities import invoices, orders, payments
from razorpay_sandbox.entities.payments import Payer

Entity = dict[str, Any]
OUTCOMES = ("success", "fail")
DEFAULT_FAILURE = "card_declined"


@dataclass(frozen=True)
class Outcome:
    success: bool = True
    reason: str | None = None

    @classmethod
    def parse(cls, body: v.Body) -> Outcome:
        outcome = v.choice(body, "outcome", OUTCOMES, default="success")
        if outcome == "success":
            return cls()
        reason = v.text(body, "reason", max_length=64) or DEFAULT_FAILURE
        return cls(success=False, reason=reason)

    def as_list(self) -> list[str | None]:
        return ["success" if self.success else "fail", self.reason]


def charge(
    core: Core,
    *,
    order: Entity,
    payer: Payer,
    outcome: Outcome,
    invoice: Entity | None = None,
    description: str | None = None,
    amount: int | None = None,
) -> Entity:
    payment = payments.new_payment(
        amount=order["amount"] if amount is None else amount,
        currency=order["currency"],
        payer=payer,
        now=core.now(),
        description=description,
    )
    # Razorpay copies an order's notes onto its payments, so payment.* events carry them too.
    payment.update(
        order_id=order["id"],
        invoice_id=invoice and invoice["id"],
        notes=copy.deepcopy(order["notes"]),
    )
    core.store.add(payment)
    orders.record_attempt(order, paid=outcome.success, amount=payment["amount"])
    if not outcome.success:
        payments.fail(payment, payments.failure(outcome.reason or DEFAULT_FAILURE))
        core.emit("payment.failed", payment)
        return payment
    settle(core, payment, order, invoice)
    return payment


def settle(core: Core, payment: Entity, order: Entity, invoice: Entity | None) -> None:
    payments.authorize(payment)
    core.emit("payment.authorized", payment)
    payments.capture(payment)
    core.emit("payment.captured", payment)
    core.emit("order.paid", payment, order)
    if invoice is not None:
        invoices.mark_paid(invoice, payment, core.now())
        core.emit("invoice.paid", payment, order, invoice)
