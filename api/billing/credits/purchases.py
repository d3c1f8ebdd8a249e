"""`buyCredits`, `confirmCreditPurchase` and the webhooks: one order per purchase, one grant.

A purchase is claimed by inserting its `_id` "<user>:<pack>:<round>", where the round counts the
user's settled purchases of that pack: a double click, two tabs or a retried request all land on
the one unpaid order. The order's `receipt` is derived from the claim, so an order whose creation
answer was lost is found again at Razorpay instead of being made twice.
"""

from __future__ import annotations

import asyncio
import hashlib

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from api.billing import outcomes
from api.billing.credits import account
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.payments import record_purchase_payment
from api.catalog.model import Pack
from api.documents.credits import BuyRequest, CreditPurchase, PurchaseStatus
from api.gateway.entities import RazorpayPayment
from api.gateway.errors import GatewayCallError

WAIT_FOR_ORDER_ROUNDS = 50  # another request is creating the order: ~5 s of polling
RECEIPT_PREFIX = "cr_"  # every credit order's receipt: tells our orders from any other


async def buy(
    billing: Billing, user_id: PydanticObjectId, pack: Pack, key: str
) -> CreditPurchase | Problem:
    request = await BuyRequest.get(f"{user_id}:{key}")
    if request is not None:
        if request.pack_code != pack.code:
            return outcomes.IDEMPOTENCY_KEY_REUSED
        return await _ordered(billing, await _purchase(request.purchase_id), mine=False)
    purchase, mine = await _open_purchase(billing, user_id, pack)
    claim = BuyRequest(
        id=f"{user_id}:{key}",
        purchase_id=purchase.id,
        pack_code=pack.code,
        created_at=billing.now(),
    )
    try:
        await claim.insert()
    except DuplicateKeyError:
        return await buy(billing, user_id, pack, key)
    return await _ordered(billing, purchase, mine=mine)


async def _purchase(purchase_id: str) -> CreditPurchase:
    found = await CreditPurchase.get(purchase_id)
    assert found is not None, "a buy request names a purchase that was inserted first"
    return found


async def _open_purchase(
    billing: Billing, user_id: PydanticObjectId, pack: Pack
) -> tuple[CreditPurchase, bool]:
    """The user's unpaid purchase of `pack`, and whether this call claimed it."""
    settled = await CreditPurchase.find(
        CreditPurchase.user_id == user_id,
        CreditPurchase.pack_code == pack.code,
        CreditPurchase.status != PurchaseStatus.CREATED,
    ).count()
    slot = f"{user_id}:{pack.code}:{settled}"
    purchase = CreditPurchase(
        id=slot,
        user_id=user_id,
        pack_code=pack.code,
        credits=pack.credits,
        amount=pack.amount,
        currency=pack.currency,
        validity_days=pack.validity_days,
        receipt=RECEIPT_PREFIX + hashlib.sha256(slot.encode()).hexdigest()[:32],
        created_at=billing.now(),
    )
    try:
        await purchase.insert()
    except DuplicateKeyError:
        return await _purchase(slot), False
    return purchase, True


async def _ordered(
    billing: Billing, purchase: CreditPurchase, *, mine: bool
) -> CreditPurchase | Problem:
    """The purchase with its Razorpay order: made by the claimer; awaited by the others, who
    look for it by receipt at Razorpay when the claimer seems gone."""
    for _ in range(0 if mine else WAIT_FOR_ORDER_ROUNDS):
        if purchase.razorpay_order_id is not None:
            return purchase
        await asyncio.sleep(0.1)
        purchase = await _purchase(purchase.id)
    if purchase.razorpay_order_id is not None:
        return purchase
    return await _make_order(billing, purchase, look_first=not mine)


async def _make_order(
    billing: Billing, purchase: CreditPurchase, *, look_first: bool
) -> CreditPurchase | Problem:
    notes = {
        "user_id": str(purchase.user_id),
        "pack": purchase.pack_code,
        "credits": str(purchase.credits),
        "expected_amount": str(purchase.amount),
    }
    try:
        found = (
            await billing.gateway.find_order_by_receipt(purchase.receipt) if look_first else None
        )
        order = found or await billing.gateway.create_order(
            amount_paise=purchase.amount,
            currency=purchase.currency,
            receipt=purchase.receipt,
            notes=notes,
        )
    except GatewayCallError as error:
        # A lost answer: the next try (same key or not) finds the order by its receipt.
        return outcomes.from_gateway(error)
    await purchase.set({"razorpay_order_id": order.id})
    return purchase


async def confirm(
    billing: Billing, user_id: PydanticObjectId, *, order_id: str, payment_id: str, signature: str
) -> CreditPurchase | Problem:
    purchase = await CreditPurchase.find_one(CreditPurchase.razorpay_order_id == order_id)
    if purchase is None or purchase.user_id != user_id:
        return outcomes.not_found("credit purchase")
    # Verified against the order id stored here, so a signature for another order fails.
    if not billing.gateway.verify_order_checkout(order_id, payment_id, signature):
        return outcomes.INVALID_SIGNATURE
    try:
        payment = await billing.gateway.fetch_payment(payment_id)
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    if payment.order_id != order_id or not payment.captured:
        return outcomes.NOT_PAID
    return await settle(billing, purchase, payment, source=f"checkout:{payment_id}")


async def settle(
    billing: Billing, purchase: CreditPurchase, payment: RazorpayPayment, *, source: str
) -> CreditPurchase:
    """Record what Razorpay says of a payment of this purchase; grant once if it paid the price.
    Every path (confirmation, order.paid, payment.captured, payment.failed) ends here."""
    await record_purchase_payment(billing, purchase, payment, source=source)
    if not payment.status.money_taken:
        return purchase
    if payment.amount != purchase.amount or payment.currency != purchase.currency:
        await purchase.set(
            {
                "status": PurchaseStatus.FLAGGED,
                "payment_id": payment.id,
                "paid_amount": payment.amount,
            }
        )
        return purchase
    await account.grant(
        purchase.user_id,
        payment_id=payment.id,
        credits=purchase.credits,
        pack_code=purchase.pack_code,
        validity_days=purchase.validity_days,
        now=billing.now(),
    )
    if purchase.status is not PurchaseStatus.PAID:
        await purchase.set(
            {"status": PurchaseStatus.PAID, "payment_id": payment.id, "paid_amount": payment.amount}
        )
    return purchase
