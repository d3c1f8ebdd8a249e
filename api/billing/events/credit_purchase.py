"""Payment events of credit packs' orders (`order.paid`, `payment.captured`, `payment.failed`):
each one, in any order and any number of times, settles the one purchase of its order."""

from __future__ import annotations

from api.billing.credits.purchases import settle
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
    if purchase is None:
        return None
    await settle(billing, purchase, payment, source=envelope.source)
    return Handled(Outcome.PROCESSED)
