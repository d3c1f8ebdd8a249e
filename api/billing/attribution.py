"""Whose payment this is: our own subscription says so; a Razorpay customer id alone may not.

Two users with one email share one Razorpay customer (customers are created with
`fail_existing=0`), so a customer id can name several users. A subscription payment carries its
invoice, the invoice names the subscription, and the subscription names the user: that link is
used whenever there is one, and a customer id only when exactly one user has it.
"""

from __future__ import annotations

from dataclasses import dataclass

from beanie import PydanticObjectId

from api.billing.deps import Billing
from api.documents import BillingAccount, Payment, Subscription
from api.gateway.entities import RazorpayInvoice, RazorpayPayment
from api.gateway.errors import GatewayNotFound


@dataclass(frozen=True)
class Owner:
    user_id: PydanticObjectId
    subscription_id: str | None  # None: known only through an unambiguous customer id

    @classmethod
    def of(cls, subscription: Subscription) -> Owner:
        return cls(subscription.user_id, subscription.razorpay_subscription_id)


@dataclass(frozen=True)
class Unowned:
    reason: str
    settled: bool  # False: a later event may tell whose it is, so the event is worth retrying


async def owner_of(
    billing: Billing, payment: RazorpayPayment, *, invoice: RazorpayInvoice | None = None
) -> Owner | Unowned:
    stored = await Payment.get(payment.id)
    if stored is not None and stored.razorpay_subscription_id is not None:
        return Owner(stored.user_id, stored.razorpay_subscription_id)
    if payment.invoice_id is not None:
        return await _through_invoice(billing, payment.invoice_id, invoice)
    if stored is not None:
        return Owner(stored.user_id, None)
    return await _through_customer(payment.customer_id)


async def _through_invoice(
    billing: Billing, invoice_id: str, invoice: RazorpayInvoice | None
) -> Owner | Unowned:
    if invoice is None or invoice.id != invoice_id:
        # Unavailable is raised on: the event fails and Razorpay delivers it again.
        try:
            invoice = await billing.gateway.fetch_invoice(invoice_id)
        except GatewayNotFound:
            return Unowned("an invoice Razorpay does not know", settled=True)
    subscription = (
        await Subscription.find_one(
            Subscription.razorpay_subscription_id == invoice.subscription_id
        )
        if invoice.subscription_id
        else None
    )
    if subscription is None:
        return Unowned("not a payment of this service's subscriptions", settled=True)
    return Owner.of(subscription)


async def _through_customer(customer_id: str | None) -> Owner | Unowned:
    if customer_id is None:
        return Unowned("a payment with neither an invoice nor a customer", settled=True)
    accounts = (
        await BillingAccount.find(BillingAccount.razorpay_customer_id == customer_id)
        .limit(2)
        .to_list()
    )
    if not accounts:
        return Unowned("a payment of an unknown customer", settled=True)
    if len(accounts) > 1:
        return Unowned("a customer several users share, and no invoice to tell whose", False)
    return Owner(accounts[0].user_id, None)
