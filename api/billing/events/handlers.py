"""Razorpay event name → the handler that applies it. Events not listed are acknowledged and
recorded as ignored."""

from __future__ import annotations

from api.billing.events.inbox import Handler
from api.billing.events.invoice import on_invoice_paid
from api.billing.events.payment import on_payment_event
from api.billing.events.refund import on_refund_event
from api.billing.events.subscription import on_subscription_event

HANDLERS: dict[str, Handler] = {
    "subscription.authenticated": on_subscription_event,
    "subscription.activated": on_subscription_event,
    "subscription.charged": on_subscription_event,
    "subscription.pending": on_subscription_event,
    "subscription.halted": on_subscription_event,
    "subscription.cancelled": on_subscription_event,
    "subscription.completed": on_subscription_event,
    "subscription.paused": on_subscription_event,
    "subscription.resumed": on_subscription_event,
    "subscription.updated": on_subscription_event,
    "payment.captured": on_payment_event,
    "payment.failed": on_payment_event,
    "order.paid": on_payment_event,  # carries the payment: a credit pack's order settles
    "invoice.paid": on_invoice_paid,
    "refund.created": on_refund_event,
    "refund.processed": on_refund_event,
    "refund.failed": on_refund_event,
}
