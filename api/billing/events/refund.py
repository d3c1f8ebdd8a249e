"""Refund events (`refund.created`, `refund.processed`, `refund.failed`). Safe to run twice, late
or out of order.

A refund that arrives before its payment records the payment first, from the event's own copy or
fetched with the inbox's deadline (one short attempt: the event fails if Razorpay does not answer).
"""

from __future__ import annotations

from api.billing.attribution import Unowned, owner_of
from api.billing.deps import Billing
from api.billing.events.inbox import Envelope, Handled, Outcome
from api.billing.payments import record_payment
from api.billing.refunds import record_refund
from api.documents import Payment
from api.gateway.entities import RazorpayRefund, parse_payment, parse_refund


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
    """The refunded payment, recorded from the event's own copy (refund.* events carry it), or
    fetched."""
    data = envelope.entity("payment")
    if data is not None and data.get("id") == refund.payment_id:
        payment = parse_payment(data)
    else:
        payment = await billing.gateway.fetch_payment(refund.payment_id)
    owner = await owner_of(billing, payment)
    if isinstance(owner, Unowned):
        # Not ours: done. Not known yet: failed, so that a redelivery applies the refund then.
        return Handled(Outcome.IGNORED if owner.settled else Outcome.FAILED, owner.reason)
    recorded = await record_payment(billing, payment, owner, source=envelope.source)
    return recorded or Handled(Outcome.FAILED, "the refunded payment is not recorded yet")
