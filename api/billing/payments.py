"""Recording payments once, and flagging amounts that differ from the plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from pymongo.errors import DuplicateKeyError

from api import metrics
from api.billing.attribution import Owner
from api.billing.convergence import Settled, until_settled
from api.billing.deps import Billing
from api.documents.credits import CreditPurchase
from api.documents.payments import Payment, Refund
from api.documents.subscriptions import Subscription
from api.gateway.entities import RazorpayPayment
from api.statuses import PaymentStatus, RefundStatus

log = structlog.get_logger("billing.payments")
AUTHENTICATION_TOKEN = 500  # paise: a future-start subscription's authentication (refunded)
# A payment only moves forward: a late authorisation turns a failed payment into a captured one.
PROGRESS = {
    PaymentStatus.CREATED: 0,
    PaymentStatus.FAILED: 1,
    PaymentStatus.AUTHORIZED: 2,
    PaymentStatus.CAPTURED: 3,
}
# Links and details a later observation may fill in; once set they never change.
FILL_INS = (
    "razorpay_subscription_id",
    "razorpay_invoice_id",
    "razorpay_order_id",
    "pack_code",
    "credits",
    "expected_amount",
    "method",
    "card_last4",
    "card_network",
)


async def record_purchase_payment(
    billing: Billing, purchase: CreditPurchase, payment: RazorpayPayment, *, source: str
) -> Payment | None:
    """A payment of a credit pack's order, checked against the price the order was made for."""
    owner = Owner(purchase.user_id, None)
    pack = PackLink(purchase.razorpay_order_id, purchase.pack_code, purchase.credits)
    return await record_payment(
        billing, payment, owner, source=source, expected=purchase.amount, pack=pack
    )


@dataclass(frozen=True)
class PackLink:
    order_id: str | None
    pack_code: str
    credits: int


async def record_payment(
    billing: Billing,
    payment: RazorpayPayment,
    owner: Owner,
    *,
    source: str,
    expected: int | None = None,
    pack: PackLink | None = None,
) -> Payment | None:
    """Store `owner`'s captured or failed payment under its Razorpay id, or bring the stored one
    forward.

    Every observation of a payment (webhook, checkout, refund event) says the same about it or
    more, so merging is monotonic: missing links are filled in, the status only moves forward.
    Raises `NotConverged` when concurrent writers keep the stored record from settling.
    """
    if not payment.status.is_settled:
        return None
    # A subscription payment is checked against its plan's price, a pack's against its order's.
    if owner.subscription_id:
        expected = await _expected_amount(billing, owner.subscription_id, payment)
    observed = _document(payment, owner, expected, source, billing.now())
    if pack is not None:
        observed.razorpay_order_id, observed.pack_code = pack.order_id, pack.pack_code
        observed.credits = pack.credits
    try:
        await observed.insert()
    except DuplicateKeyError:
        return await _merge(observed)
    metrics.payment(observed.status.value, observed.error_code)
    if observed.amount_mismatch:
        _warn_mismatch(observed)
    return observed


async def _expected_amount(
    billing: Billing, subscription_id: str | None, payment: RazorpayPayment
) -> int | None:
    """Only a subscription payment has a price to be checked against: its plan's, at the
    period it was sold (a price since changed in the catalog shows as a mismatch). The
    Checkout of a subscription that starts later (a trial, a downgrade's new subscription)
    pays Razorpay's ₹5 authentication token instead, without an invoice (FACTS §3)."""
    if subscription_id is None:
        return None
    subscription = await Subscription.find_one(
        Subscription.razorpay_subscription_id == subscription_id
    )
    if subscription and subscription.starts_at is not None and payment.invoice_id is None:
        return AUTHENTICATION_TOKEN
    plan = billing.catalog.plan(subscription.plan_code) if subscription else None
    price = plan.price(subscription.period) if plan and subscription else None
    return price.amount if price else None


async def _merge(observed: Payment) -> Payment | None:
    """Write only fill-ins and forward moves, in rounds until the stored record has them all
    (`api.billing.convergence`); raises `NotConverged` when it never does."""

    async def one_round() -> Settled[Payment | None] | None:
        stored = await Payment.get(observed.id)
        if stored is None:
            return Settled(None)
        changes = forward_changes(stored, observed)
        if not changes:
            return Settled(stored)
        await stored.set(changes)
        if "status" in changes:  # a failed payment authorised late: counted captured as well
            metrics.payment(changes["status"].value, changes["error_code"])
        if changes.get("amount_mismatch"):
            _warn_mismatch(stored)
        return None

    return await until_settled(one_round, what=f"payment {observed.id}")


def forward_changes(stored: Payment, observed: Payment) -> dict[str, Any]:
    changes: dict[str, Any] = {
        name: getattr(observed, name)
        for name in FILL_INS
        if getattr(stored, name) is None and getattr(observed, name) is not None
    }
    if _owned_through_subscription(stored, observed) and stored.user_id != observed.user_id:
        # Our subscription says whose payment it is; a customer id shared by users may not.
        changes["user_id"] = observed.user_id
    if _rank(observed.status) > _rank(stored.status):
        changes.update(
            status=observed.status,
            error_code=observed.error_code,
            error_description=observed.error_description,
        )
    expected = changes.get("expected_amount", stored.expected_amount)
    status = changes.get("status", stored.status)
    if not stored.amount_mismatch and _mismatch(status, stored.amount, expected):
        changes["amount_mismatch"] = True
    return changes


def _owned_through_subscription(stored: Payment, observed: Payment) -> bool:
    linked = observed.razorpay_subscription_id
    return linked is not None and stored.razorpay_subscription_id in (None, linked)


def _rank(status: PaymentStatus) -> int:
    return PROGRESS.get(status, 0)


def _mismatch(status: PaymentStatus, amount: int, expected: int | None) -> bool:
    return status is PaymentStatus.CAPTURED and expected is not None and amount != expected


def _warn_mismatch(payment: Payment) -> None:
    log.warning(
        "payment_amount_mismatch",
        payment=payment.id,
        amount=payment.amount,
        expected=payment.expected_amount,
    )


def _document(
    payment: RazorpayPayment,
    owner: Owner,
    expected_amount: int | None,
    source: str,
    now: datetime,
) -> Payment:
    # Kept as captured: what was refunded is the sum of the payment's refunds.
    status = PaymentStatus.CAPTURED if payment.status.money_taken else payment.status
    return Payment(
        id=payment.id,
        user_id=owner.user_id,
        razorpay_subscription_id=owner.subscription_id,
        razorpay_invoice_id=payment.invoice_id,
        amount=payment.amount,
        currency=payment.currency,
        status=status,
        method=payment.method,
        card_last4=payment.card_last4,
        card_network=payment.card_network,
        error_code=payment.error_code,
        error_description=payment.error_description,
        expected_amount=expected_amount,
        amount_mismatch=_mismatch(status, payment.amount, expected_amount),
        created_at=payment.created_at or now,
        recorded_at=now,
        source=source,
    )


async def refunded_amount(payment_id: str) -> int:
    refunds = await Refund.find(
        Refund.payment_id == payment_id, Refund.status != RefundStatus.FAILED
    ).to_list()
    return sum(r.amount for r in refunds)
