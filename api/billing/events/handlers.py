"""Razorpay event name → the billing function that applies it. Events not listed are
acknowledged and recorded as ignored."""

from __future__ import annotations

from api.billing.events.inbox import Handler
from api.billing.events.payment import on_invoice_paid, on_payment_event, on_refund_event
from api.billing.events.subscription import on_subscription_event

SUBSCRIPTION_EVENTS = (
    "authenticated",
    "activated",
    "charged",
    "pending",
    "halted",
    "cancelled",
    "completed",
    "paused",
    "resumed",
    "updated",
)

HANDLERS: dict[str, Handler] = {
    **{f"subscription.{name}": on_subscription_event for name in SUBSCRIPTION_EVENTS},
    "payment.captured": on_payment_event,
    "payment.failed": on_payment_event,
    "refund.created": on_refund_event,
    "refund.processed": on_refund_event,
    "refund.failed": on_refund_event,
    "invoice.paid": on_invoice_paid,
}
