"""The credit types the schema shows: packs, the account and its ledger, checkout and results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from beanie import PydanticObjectId

from api.billing.credits import account
from api.catalog.model import Pack
from api.documents.credits import CreditEntry, EntryKind
from api.graphql.billing_context import billing_of
from api.graphql.context import Info
from api.graphql.errors import bad_input
from api.graphql.failures import Failure
from api.graphql.money import Money, money


@strawberry.type(description="Credits sold once through a Razorpay order; from the catalog.")
class CreditPack:
    code: str
    name: str
    credits: int
    price: Money
    validity_days: int | None = strawberry.field(description="None: the credits never expire.")


def pack_type(pack: Pack) -> CreditPack:
    return CreditPack(
        code=pack.code,
        name=pack.name,
        credits=pack.credits,
        price=money(pack.amount, pack.currency),
        validity_days=pack.validity_days,
    )


EntryKindType = strawberry.enum(EntryKind, name="CreditEntryKind")
MAX_PAGE = 100


@strawberry.type(
    name="CreditEntry", description="One ledger entry: what changed, and the balance after."
)
class CreditEntryType:
    kind: EntryKindType  # type: ignore[valid-type]
    amount: int = strawberry.field(description="Signed: credits added (> 0) or taken (< 0).")
    balance_after: int
    pack: str | None
    reason: str | None
    shortfall: int = strawberry.field(description="A clawback: credits that could not be taken.")
    at: datetime
    cursor: str


def entry_type(entry: CreditEntry) -> CreditEntryType:
    return CreditEntryType(
        kind=entry.kind,
        amount=entry.amount,
        balance_after=entry.balance_after,
        pack=entry.pack_code,
        reason=entry.reason,
        shortfall=entry.shortfall,
        at=entry.at,
        cursor=str(entry.seq),
    )


@strawberry.type(name="CreditAccount")
class Credits:
    user_id: strawberry.Private[PydanticObjectId]
    balance: int
    expiring_soon: int = strawberry.field(description="Credits that expire within 7 days.")

    @strawberry.field(description="Newest first; `after` is an entry's cursor.")
    async def history(self, first: int = 20, after: str | None = None) -> list[CreditEntryType]:
        if not 1 <= first <= MAX_PAGE:
            raise bad_input(f"`first` is 1..{MAX_PAGE}.", argument="first")
        if after is not None and not after.isdigit():
            raise bad_input("`after` is not a cursor of this history.", argument="after")
        before = int(after) if after is not None else None
        found = await account.history(self.user_id, first=first, before_seq=before)
        return [entry_type(e) for e in found]


async def credits_of(info: Info, user_id: PydanticObjectId) -> Credits:
    held = await account.balance(user_id, billing_of(info).now())
    return Credits(user_id=user_id, balance=held.balance, expiring_soon=held.expiring_soon)


@strawberry.type(description="What Razorpay Checkout needs for an order: pass these as options.")
class CreditCheckout:
    key_id: str
    order_id: str
    amount: int
    currency: str
    name: str
    description: str
    prefill_email: str | None
    pack: CreditPack


@strawberry.type
class CreditPurchaseResult:
    order_id: str
    status: str
    credits: int
    balance: int


@strawberry.type
class CreditBalance:
    balance: int


BuyCreditsResult = Annotated[CreditCheckout | Failure, strawberry.union("BuyCreditsResult")]
ConfirmCreditsResult = Annotated[
    CreditPurchaseResult | Failure, strawberry.union("ConfirmCreditPurchaseResult")
]
SpendCreditsResult = Annotated[CreditBalance | Failure, strawberry.union("SpendCreditsResult")]
