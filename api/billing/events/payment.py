"""Payment events (`payment.captured`, `payment.failed`, `order.paid`); safe to run twice, late
or out of order.

A payment is filed under a user through our own subscription whenever the event lets us find it
(see `api.billing.attribution`); an event that says more about a payment already recorded fills
in what the record lacked.
"""

from __future__ import annotations

from api.billing.attribution import Unowned, owner_of
from api.billing.deps import Billing
from api.billing.events.credit_purchase import settle_if_purchase
from api.billing.events.inbox import Envelope, Handled, Outcome
from api.billing.payments import record_payment
from api.gateway.entities import RazorpayInvoice, RazorpayPayment, parse_payment


async def on_payment_event(billing: Billing, envelope: Envelope) -> Handled:
    """Whatever of an unowned payment is ours also arrives with `invoice.paid` and
    `subscription.charged`, which name the subscription: nothing is lost by ignoring it here."""
    data = envelope.entity("payment")
    if data is None:
        return Handled(Outcome.IGNORED, "no payment in the payload")
    payment = parse_payment(data)
    return await settle_if_purchase(billing, envelope, payment) or await record_owned(
        billing, envelope, payment
    )


async def record_owned(
    billing: Billing,
    envelope: Envelope,
    payment: RazorpayPayment,
    *,
    invoice: RazorpayInvoice | None = None,
) -> Handled:
    """Record the payment under whoever it belongs to; ignored when it is not ours."""
    owner = await owner_of(billing, payment, invoice=invoice)
    if isinstance(owner, Unowned):
        return Handled(Outcome.IGNORED, owner.reason)
    await record_payment(billing, payment, owner, source=envelope.source)
    return Handled(Outcome.PROCESSED)
