"""A user's Razorpay customer: created once, then reused for every later subscription."""

from __future__ import annotations

import re
import unicodedata

from pymongo.errors import DuplicateKeyError

from api.billing.deps import Billing
from api.documents import BillingAccount, User

NAME_LENGTHS = range(3, 51)  # Razorpay refuses a customer name outside 3 to 50 characters
# Razorpay's documented name characters are letters, digits, spaces, `.`, `'`, `/`, `@` and
# parentheses; an email's `_`, `+`, `-` and the like become spaces.
_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9.@]+")


async def customer_for(billing: Billing, user: User) -> str | None:
    """The user's Razorpay customer id; None for a user without an email (Checkout asks)."""
    account = await BillingAccount.find_one(BillingAccount.user_id == user.id)
    if account is not None:
        return account.razorpay_customer_id
    if not user.email:
        return None
    # fail_existing=0: a retry after a lost response gets the same customer back.
    customer = await billing.gateway.create_customer(
        customer_name(user.email, user.subject), user.email, notes={"user_id": str(user.id)}
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


def customer_name(email: str, subject: str) -> str:
    """A name Razorpay accepts for anyone, as readable as what we know allows: the email's
    local part (`jo.smith`), else the whole address when that part is short (`jo@example.com`),
    else the token's subject, else a generic name."""
    for source in (email.split("@")[0], email, subject):
        name = _plain(source)[: NAME_LENGTHS.stop - 1].rstrip()
        if len(name) in NAME_LENGTHS:
            return name
    return "Customer"


def _plain(text: str) -> str:
    """ASCII letters (accents dropped: `josé` -> `jose`), digits, `.` and `@`, other runs as
    one space, and no `.`, `@` or space at either end."""
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_IN_NAMES.sub(" ", ascii_only).strip(" .@")
