"""Refunds against captured payments (with `X-Refund-Idempotency`), and the customer Checkout
links a payment to."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.core import Core
from razorpay_sandbox.entities import payments, refunds
from razorpay_sandbox.entities.customers import same_person
from razorpay_sandbox.entities.payments import Payer
from razorpay_sandbox.errors import ApiError
from razorpay_sandbox.ids import new_id
from razorpay_sandbox.store import RefundKey

Entity = dict[str, Any]
KEY_REUSED = "Different request with the same idempotency key has already been processed."


def customer_for(core: Core, payer: Payer) -> Entity:
    if payer.customer_id is not None:
        return core.store.get("customer", payer.customer_id)
    for customer in core.store.all("customer"):
        if same_person(customer, payer.email, payer.contact):
            return customer
    return core.store.add(
        {
            "id": new_id("cust"),
            "entity": "customer",
            "name": None,
            "email": payer.email,
            "contact": payer.contact,
            "gstin": None,
            "notes": [],
            "created_at": core.now(),
        }
    )


def refund(core: Core, payment: Entity, amount: int, *, notes: dict[str, str]) -> Entity:
    created = refunds.refund_entity(payment, amount, core.now(), notes=notes)
    return record(core, payment, created)


def record(core: Core, payment: Entity, created: Entity, *, held: bool = False) -> Entity:
    """Store the refund and count it against the payment: processed at once, or, `held`, left
    `pending` (its money is reserved, as Razorpay counts it) until `settle_held`."""
    if held:
        created["status"] = "pending"
    else:
        refunds.processed(created)
    core.store.add(created)
    payments.record_refund(payment, created["amount"])
    core.store.changed()
    core.emit("refund.created", created, payment)
    if not held:
        core.emit("refund.processed", created, payment)
    return created


def settle_held(core: Core, refund: Entity, *, fail: bool) -> Entity:
    """End a pending refund as Razorpay does: `processed`, or `failed` (the money stays with the
    merchant, so the payment counts it no more). Both are final."""
    if refund["status"] != "pending":
        raise ApiError(f"The refund is {refund['status']}: only a pending refund can end.")
    payment = core.store.get("payment", refund["payment_id"])
    if fail:
        refund["status"] = "failed"
        payments.undo_refund(payment, refund["amount"])
    else:
        refunds.processed(refund)
    core.store.changed()
    core.emit("refund.failed" if fail else "refund.processed", refund, payment)
    return refund


def refund_request(core: Core, payment: Entity, body: v.Body, key_header: str | None) -> Entity:
    key = refunds.idempotency_key(key_header)
    fingerprint = refunds.request_fingerprint(payment["id"], body)
    if key is not None and key in core.store.refund_keys:
        return replay(core, core.store.refund_keys[key], fingerprint)
    if payment["status"] not in ("captured", "refunded"):
        raise ApiError("Only captured payments can be refunded.", field="payment_id")
    created = refunds.new_refund(body, payment, payments.refundable(payment), core.now())
    record(core, payment, created, held=core.hold_refunds)
    if key is not None:
        core.store.refund_keys[key] = RefundKey(payment["id"], fingerprint, created["id"])
    return created


def replay(core: Core, seen: RefundKey, fingerprint: str) -> Entity:
    if seen.request != fingerprint:
        raise ApiError(KEY_REUSED, status=409, field="X-Refund-Idempotency")
    return core.store.get("refund", seen.refund_id)
