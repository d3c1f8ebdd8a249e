"""Typed, immutable views of Razorpay entities, and the parsers that build them.

The parsers take the JSON object of one entity, whether it came from an API response or from a
webhook payload (`payload.<name>.entity`), and raise `MalformedEntity` when a field we rely on is
missing or unreadable. Amounts are integer paise; times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.gateway.coerce import (
    MalformedEntity,
    flag,
    int_or,
    nested,
    notes,
    optional_choice,
    optional_int,
    optional_str,
    required_choice,
    required_int,
    required_str,
    timestamp,
)
from api.statuses import PaymentStatus, RefundStatus, SubscriptionStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class RazorpayPlan:
    id: str
    item_id: str | None
    name: str
    amount: int
    currency: str
    period: str
    interval: int
    notes: Mapping[str, str] = field(hash=False)
    created_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RazorpayCustomer:
    id: str
    name: str | None
    email: str | None
    contact: str | None
    notes: Mapping[str, str] = field(hash=False)
    created_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RazorpaySubscription:
    id: str
    plan_id: str
    customer_id: str | None
    status: SubscriptionStatus
    current_start: datetime | None
    current_end: datetime | None
    charge_at: datetime | None
    start_at: datetime | None
    end_at: datetime | None
    ended_at: datetime | None
    paid_count: int
    remaining_count: int | None
    auth_attempts: int
    total_count: int | None
    quantity: int
    short_url: str | None
    has_scheduled_changes: bool
    change_scheduled_at: datetime | None
    # "card", "upi", "emandate", ... once authenticated: decides whether Razorpay can update it.
    payment_method: str | None
    created_at: datetime | None
    notes: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RazorpayPayment:
    """Card data is limited to last4 and network on purpose: nothing else is ever kept."""

    id: str
    amount: int
    currency: str
    status: PaymentStatus
    method: str | None
    order_id: str | None
    invoice_id: str | None
    customer_id: str | None
    amount_refunded: int
    refund_status: str | None
    captured: bool
    card_last4: str | None
    card_network: str | None
    error_code: str | None
    error_description: str | None
    error_reason: str | None
    created_at: datetime | None
    notes: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RazorpayOrder:
    id: str
    amount: int
    amount_paid: int
    currency: str
    receipt: str | None
    status: str  # created | attempted | paid
    attempts: int
    created_at: datetime | None
    notes: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RazorpayRefund:
    id: str
    payment_id: str
    amount: int
    currency: str
    status: RefundStatus | None
    speed_requested: str | None
    speed_processed: str | None
    receipt: str | None
    created_at: datetime | None
    notes: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RazorpayInvoice:
    id: str
    subscription_id: str | None
    payment_id: str | None
    customer_id: str | None
    status: str
    amount: int
    currency: str | None
    billing_start: datetime | None
    billing_end: datetime | None
    paid_at: datetime | None
    created_at: datetime | None


def parse_plan(data: Mapping[str, Any]) -> RazorpayPlan:
    _expect_entity(data, "plan")
    item = nested(data, "item")
    return RazorpayPlan(
        id=required_str(data, "id"),
        item_id=optional_str(item, "id"),
        name=required_str(item, "name"),
        amount=required_int(item, "amount"),
        currency=required_str(item, "currency"),
        period=required_str(data, "period"),
        interval=required_int(data, "interval"),
        notes=notes(data),
        created_at=timestamp(data, "created_at"),
    )


def parse_customer(data: Mapping[str, Any]) -> RazorpayCustomer:
    _expect_entity(data, "customer")
    return RazorpayCustomer(
        id=required_str(data, "id"),
        name=optional_str(data, "name"),
        email=optional_str(data, "email"),
        contact=optional_str(data, "contact"),
        notes=notes(data),
        created_at=timestamp(data, "created_at"),
    )


def parse_subscription(data: Mapping[str, Any]) -> RazorpaySubscription:
    _expect_entity(data, "subscription")
    return RazorpaySubscription(
        id=required_str(data, "id"),
        plan_id=required_str(data, "plan_id"),
        customer_id=optional_str(data, "customer_id"),
        status=required_choice(data, "status", SubscriptionStatus),
        current_start=timestamp(data, "current_start"),
        current_end=timestamp(data, "current_end"),
        charge_at=timestamp(data, "charge_at"),
        start_at=timestamp(data, "start_at"),
        end_at=timestamp(data, "end_at"),
        ended_at=timestamp(data, "ended_at"),
        paid_count=int_or(data, "paid_count", 0),
        remaining_count=optional_int(data, "remaining_count"),
        auth_attempts=int_or(data, "auth_attempts", 0),
        total_count=optional_int(data, "total_count"),
        quantity=int_or(data, "quantity", 1),
        short_url=optional_str(data, "short_url"),
        has_scheduled_changes=flag(data, "has_scheduled_changes", default=False),
        change_scheduled_at=timestamp(data, "change_scheduled_at"),
        payment_method=optional_str(data, "payment_method"),
        created_at=timestamp(data, "created_at"),
        notes=notes(data),
    )


def parse_payment(data: Mapping[str, Any]) -> RazorpayPayment:
    _expect_entity(data, "payment")
    status = required_choice(data, "status", PaymentStatus)
    card = nested(data, "card")
    return RazorpayPayment(
        id=required_str(data, "id"),
        amount=required_int(data, "amount"),
        currency=required_str(data, "currency"),
        status=status,
        method=optional_str(data, "method"),
        order_id=optional_str(data, "order_id"),
        invoice_id=optional_str(data, "invoice_id"),
        customer_id=optional_str(data, "customer_id"),
        amount_refunded=int_or(data, "amount_refunded", 0),
        refund_status=optional_str(data, "refund_status"),
        # Older entities omit `captured`; their status still says whether money was taken.
        captured=flag(data, "captured", default=status.money_taken),
        card_last4=optional_str(card, "last4"),
        card_network=optional_str(card, "network"),
        error_code=optional_str(data, "error_code"),
        error_description=optional_str(data, "error_description"),
        error_reason=optional_str(data, "error_reason"),
        created_at=timestamp(data, "created_at"),
        notes=notes(data),
    )


def parse_order(data: Mapping[str, Any]) -> RazorpayOrder:
    _expect_entity(data, "order")
    return RazorpayOrder(
        id=required_str(data, "id"),
        amount=required_int(data, "amount"),
        amount_paid=int_or(data, "amount_paid", 0),
        currency=required_str(data, "currency"),
        receipt=optional_str(data, "receipt"),
        status=required_str(data, "status"),
        attempts=int_or(data, "attempts", 0),
        created_at=timestamp(data, "created_at"),
        notes=notes(data),
    )


def parse_refund(data: Mapping[str, Any]) -> RazorpayRefund:
    _expect_entity(data, "refund")
    return RazorpayRefund(
        id=required_str(data, "id"),
        payment_id=required_str(data, "payment_id"),
        amount=required_int(data, "amount"),
        currency=required_str(data, "currency"),
        status=optional_choice(data, "status", RefundStatus),
        speed_requested=optional_str(data, "speed_requested"),
        speed_processed=optional_str(data, "speed_processed"),
        receipt=optional_str(data, "receipt"),
        created_at=timestamp(data, "created_at"),
        notes=notes(data),
    )


def parse_invoice(data: Mapping[str, Any]) -> RazorpayInvoice:
    _expect_entity(data, "invoice")
    return RazorpayInvoice(
        id=required_str(data, "id"),
        subscription_id=optional_str(data, "subscription_id"),
        payment_id=optional_str(data, "payment_id"),
        customer_id=optional_str(data, "customer_id"),
        status=required_str(data, "status"),
        amount=required_int(data, "amount"),
        currency=optional_str(data, "currency"),
        billing_start=timestamp(data, "billing_start"),
        billing_end=timestamp(data, "billing_end"),
        paid_at=timestamp(data, "paid_at"),
        created_at=timestamp(data, "created_at"),
    )


def _expect_entity(data: Mapping[str, Any], name: str) -> None:
    # Catches a webhook payload entity handed to the wrong parser; `entity` is optional.
    found = data.get("entity", name)
    if found != name:
        raise MalformedEntity(f"expected a {name} entity, got {found!r}")
