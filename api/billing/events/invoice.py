"""`invoice.paid`: a subscription's payment, with the invoice that names the subscription."""

from __future__ import annotations

from api.billing.deps import Billing
from api.billing.events.inbox import Envelope, Handled, Outcome
from api.billing.events.payment import record_owned
from api.gateway.entities import parse_invoice, parse_payment


async def on_invoice_paid(billing: Billing, envelope: Envelope) -> Handled:
    invoice, payment = envelope.entity("invoice"), envelope.entity("payment")
    if invoice is None or payment is None:
        return Handled(Outcome.IGNORED, "no invoice or payment in the payload")
    return await record_owned(
        billing, envelope, parse_payment(payment), invoice=parse_invoice(invoice)
    )
