"""Subscription invoice (`inv_…`): issued when a cycle is charged, paid on success."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox.ids import new_id, random_alnum

Entity = dict[str, Any]


def line_item(item: Entity, quantity: int, kind: str) -> Entity:
    amount = int(item["amount"]) * quantity
    return {
        "id": new_id("li"),
        "item_id": item.get("id"),
        "ref_id": None,
        "ref_type": None,
        "name": item["name"],
        "description": item.get("description"),
        "amount": amount,
        "unit_amount": item["amount"],
        "gross_amount": amount,
        "tax_amount": 0,
        "taxable_amount": amount,
        "net_amount": amount,
        "currency": item["currency"],
        "type": kind,
        "tax_inclusive": False,
        "hsn_code": None,
        "sac_code": None,
        "tax_rate": None,
        "unit": None,
        "quantity": quantity,
        "taxes": [],
    }


def customer_details(customer: Entity | None) -> Entity:
    customer = customer or {}
    return {
        "id": customer.get("id"),
        "name": customer.get("name"),
        "email": customer.get("email"),
        "contact": customer.get("contact"),
        "gstin": customer.get("gstin"),
        "billing_address": None,
        "shipping_address": None,
        "customer_name": customer.get("name"),
        "customer_email": customer.get("email"),
        "customer_contact": customer.get("contact"),
        "customer_address": None,
    }


def bill_to(invoice: Entity, customer: Entity) -> None:
    invoice.update(customer_id=customer["id"], customer_details=customer_details(customer))


def new_invoice(
    *,
    subscription: Entity,
    order: Entity,
    lines: list[Entity],
    customer: Entity | None,
    period: tuple[int | None, int | None],
    now: int,
) -> Entity:
    return {
        "id": new_id("inv"),
        "entity": "invoice",
        "type": "invoice",
        "invoice_number": None,
        "receipt": None,
        "customer_id": subscription["customer_id"],
        "customer_details": customer_details(customer),
        "order_id": order["id"],
        "subscription_id": subscription["id"],
        "payment_id": None,
        "line_items": lines,
        **issued_fields(now),
        **amount_fields(sum(int(line["amount"]) for line in lines)),
        "currency": order["currency"],
        "currency_symbol": "₹",
        "description": None,
        "notes": [],
        "comment": None,
        "short_url": "https://rzp.io/i/" + random_alnum(8),
        "view_less": True,
        "billing_start": period[0],
        "billing_end": period[1],
        "group_taxes_discounts": False,
        "created_at": now,
        "idempotency_key": None,
    }


def issued_fields(now: int) -> Entity:
    return {
        "status": "issued",
        "expire_by": None,
        "issued_at": now,
        "paid_at": None,
        "cancelled_at": None,
        "expired_at": None,
        "sms_status": None,
        "email_status": None,
        "date": now,
        "terms": None,
        "partial_payment": False,
    }


def amount_fields(amount: int) -> Entity:
    return {
        "gross_amount": amount,
        "tax_amount": 0,
        "taxable_amount": amount,
        "amount": amount,
        "amount_paid": 0,
        "amount_due": amount,
        "first_payment_min_amount": None,
    }


def mark_paid(invoice: Entity, payment: Entity, now: int) -> None:
    invoice.update(
        status="paid",
        payment_id=payment["id"],
        paid_at=now,
        amount_paid=invoice["amount"],
        amount_due=0,
    )
