"""Refund events (`refund.created`, `refund.processed`, `refund.failed`). Safe to run twice, late
or out of order.

A refund that arrives before its payment records the payment first, from the event's own copy or
fetched with the inbox's deadline (one short attempt: the event fails if Razorpay does not answer).
A refund of a credit pack's payment takes the pack's credits back by the rule `refundPayment`
follows (`api.billing.credits.clawback`), keyed by the refund id: a refund made in Razorpay's
dashboard too, and one made here whose webhook arrives first is taken back once. A refund that
failed gives back what its clawback took, and a failed one is never clawed back, whatever order
its events come in (`follow_refund`).
"""

from __future__ import annotations

from api.billing.attribution import Unowned, owner_of
from api.billing.credits.clawback import REFUNDED_AT_RAZORPAY, follow_refund
from api.billing.credits.purchases import settle
from api.billing.deps import Billing
from api.billing.events.credit_purchase import is_credit_order
from api.billing.events.inbox import Envelope, Handled, Outcome
from api.billing.payments import record_payment
from api.billing.refunds import record_refund
from api.documents import Payment
from api.documents.credits import CreditPurchase
from api.gateway.entities import RazorpayPayment, RazorpayRefund, parse_payment, parse_refund


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
    stored = await record_refund(
        refund, payment=payment, reason=None, requested_by=None, now=billing.now()
    )
    actor = stored.requested_by or REFUNDED_AT_RAZORPAY
    await follow_refund(payment, stored, actor=actor, now=billing.now())
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
    if payment.order_id is not None:
        bought = await _record_purchase(billing, envelope, payment)
        if bought is not None:
            return bought
    owner = await owner_of(billing, payment)
    if isinstance(owner, Unowned):
        # Not ours: done. Not known yet: failed, so that the sweep applies the refund later.
        return Handled(Outcome.IGNORED if owner.settled else Outcome.FAILED, owner.reason)
    recorded = await record_payment(billing, payment, owner, source=envelope.source)
    return recorded or Handled(Outcome.FAILED, "the refunded payment is not recorded yet")


async def _record_purchase(
    billing: Billing, envelope: Envelope, payment: RazorpayPayment
) -> Payment | Handled | None:
    """A credit pack's payment refunded before any other event of it: settled (granted) first,
    so that the refund takes back what it granted. None: not a credit order."""
    purchase = await CreditPurchase.find_one(CreditPurchase.razorpay_order_id == payment.order_id)
    if purchase is None:
        if is_credit_order(envelope, payment):
            return Handled(Outcome.FAILED, "a credit order whose id is not recorded yet")
        return None
    await settle(billing, purchase, payment, source=envelope.source)
    return await Payment.get(payment.id) or Handled(Outcome.FAILED, "not recorded yet")
