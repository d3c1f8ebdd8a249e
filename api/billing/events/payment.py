"""Payment, invoice and refund events. Each is safe to run twice, late or out of order.

A payment is filed under a user through our own subscription whenever the event lets us find it
(see `api.billing.attribution`); an event that says more about a payment already recorded fills
in what the record lacked. What the event does not carry (an invoice, a refunded payment) is
fetched with the inbox's deadline: one short attempt, and the event fails if it does not answer.
"""

from __future__ import annotations

from api.billing.attribution import Unowned, owner_of, record_owned_payment
from api.billing.deps import Billing
from api.billing.events.inbox import Envelope, Handled, Outcome
from api.billing.refunds import record_refund
from api.documents import Payment
from api.gateway.entities import RazorpayRefund, parse_invoice, parse_payment, parse_refund


async def on_payment_event(billing: Billing, envelope: Envelope) -> Handled:
    data = envelope.entity("payment")
    if data is None:
        return Handled(Outcome.IGNORED, "no payment in the payload")
    payment = parse_payment(data)
    owner = await owner_of(billing, payment)
    if isinstance(owner, Unowned):
        # Whatever of it is ours also arrives with invoice.paid and subscription.charged, which
        # name the subscription: nothing is lost by leaving it to them.
        return Handled(Outcome.IGNORED, owner.reason)
    await record_owned_payment(billing, payment, owner, source=f"webhook:{envelope.event_id}")
    return Handled(Outcome.PROCESSED)


async def on_invoice_paid(billing: Billing, envelope: Envelope) -> Handled:
    invoice, data = envelope.entity("invoice"), envelope.entity("payment")
    if invoice is None or data is None:
        return Handled(Outcome.IGNORED, "no invoice or payment in the payload")
    payment = parse_payment(data)
    owner = await owner_of(billing, payment, invoice=parse_invoice(invoice))
    if isinstance(owner, Unowned):
        return Handled(Outcome.IGNORED, owner.reason)
    await record_owned_payment(billing, payment, owner, source=f"webhook:{envelope.event_id}")
    return Handled(Outcome.PROCESSED)


async def on_refund_event(billing: Billing, envelope: Envelope) -> Handled:
    data = envelope.entity("refund")
    if data is None:
        return Handled(Outcome.IGNORED, "no refund in the payload")
    refund = parse_refund(data)
    payment = await Payment.get(refund.payment_id) or await _record_refunded(
        billing, envelope, refund
    )
    if isinstance(payment, Handled):
        return payment
    await record_refund(refund, payment=payment, reason=None, requested_by=None, now=billing.now())
    return Handled(Outcome.PROCESSED)


async def _record_refunded(
    billing: Billing, envelope: Envelope, refund: RazorpayRefund
) -> Payment | Handled:
    """A refund that arrived before its payment: the payment is recorded from the event's own
    copy (refund.* events carry it), or fetched."""
    data = envelope.entity("payment")
    if data is not None and data.get("id") == refund.payment_id:
        payment = parse_payment(data)
    else:
        payment = await billing.gateway.fetch_payment(refund.payment_id)
    owner = await owner_of(billing, payment)
    if isinstance(owner, Unowned):
        # Not ours: done. Not known yet: failed, so that a redelivery applies the refund then.
        return Handled(Outcome.IGNORED if owner.settled else Outcome.FAILED, owner.reason)
    recorded = await record_owned_payment(
        billing, payment, owner, source=f"webhook:{envelope.event_id}"
    )
    return recorded or Handled(Outcome.FAILED, "the refunded payment is not recorded yet")
