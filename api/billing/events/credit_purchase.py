"""Payment events of credit packs' orders (`order.paid`, `payment.captured`, `payment.failed`):
each one, in any order and any number of times, settles the one purchase of its order."""

from __future__ import annotations

from api.billing.credits.purchases import RECEIPT_PREFIX, settle
from api.billing.deps import Billing
from api.billing.events.inbox import Envelope, Handled, Outcome
from api.documents.credits import CreditPurchase
from api.gateway.entities import RazorpayPayment


async def settle_if_purchase(
    billing: Billing, envelope: Envelope, payment: RazorpayPayment
) -> Handled | None:
    """Handled when the payment is of one of our orders for credits; None otherwise."""
    if payment.order_id is None:
        return None
    purchase = await CreditPurchase.find_one(CreditPurchase.razorpay_order_id == payment.order_id)
    if purchase is not None:
        await settle(billing, purchase, payment, source=envelope.source)
        return Handled(Outcome.PROCESSED)
    if is_credit_order(envelope, payment):
        # The purchase is stored before its order is made, and the order's id written on it as
        # soon as Razorpay answers: an event this early is failed, and the sweep retries it.
        return Handled(Outcome.FAILED, "a credit order whose id is not recorded yet")
    return None


def is_credit_order(envelope: Envelope, payment: RazorpayPayment) -> bool:
    """Our credit order, by its receipt (`order.paid` carries the order) or by the notes it
    gave its payments."""
    order = envelope.entity("order")
    receipt = order.get("receipt") if order and order.get("id") == payment.order_id else None
    if isinstance(receipt, str):
        return receipt.startswith(RECEIPT_PREFIX)
    return {"user_id", "pack"} <= payment.notes.keys()
