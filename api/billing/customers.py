"""A user's Razorpay customer: created once, then reused for every later subscription."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from api.billing.deps import Billing
from api.documents import BillingAccount, User


async def customer_for(billing: Billing, user: User) -> str | None:
    """The user's Razorpay customer id; None for a user without an email (Checkout asks)."""
    account = await BillingAccount.find_one(BillingAccount.user_id == user.id)
    if account is not None:
        return account.razorpay_customer_id
    if not user.email:
        return None
    # fail_existing=0: a retry after a lost response gets the same customer back.
    customer = await billing.gateway.create_customer(
        user.email.split("@")[0][:50] or user.subject, user.email, notes={"user_id": str(user.id)}
    )
    assert user.id is not None
    account = BillingAccount(
        user_id=user.id, razorpay_customer_id=customer.id, created_at=billing.now()
    )
    try:
        await account.insert()
    except DuplicateKeyError:
        winner = await BillingAccount.find_one(BillingAccount.user_id == user.id)
        return winner.razorpay_customer_id if winner else customer.id
    return customer.id
