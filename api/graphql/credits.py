"""Credit packs and the credits ledger: creditPacks, credits, userCredits, buyCredits,
confirmCreditPurchase, spendCredits, adjustCredits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from beanie import PydanticObjectId

from api.billing import outcomes
from api.billing.credits import account, purchases
from api.billing.credits.ledger import Refused
from api.billing.outcomes import Problem
from api.catalog.model import Pack
from api.documents import User
from api.documents.credits import CreditEntry, CreditPurchase, EntryKind
from api.graphql.billing_context import billing_of, signed_in_user, user_id_of
from api.graphql.billing_mutations import _key, _razorpay_id
from api.graphql.context import Info
from api.graphql.errors import bad_input
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.money import Money, money
from api.ratelimit import Budget

MAX_CREDITS = 1_000_000


@strawberry.type(description="Credits sold once through a Razorpay order; from the catalog.")
class CreditPack:
    code: str
    name: str
    credits: int
    price: Money
    validity_days: int | None = strawberry.field(description="None: the credits never expire.")


def _pack(pack: Pack) -> CreditPack:
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


def _entry(entry: CreditEntry) -> CreditEntryType:
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
        return [_entry(e) for e in found]


async def _credits(info: Info, user_id: PydanticObjectId) -> Credits:
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


@strawberry.type
class CreditQuery:
    @strawberry.field(
        description="The credit packs on sale.", extensions=[guard("credit_pack", "read")]
    )
    def credit_packs(self, info: Info) -> list[CreditPack]:
        return [_pack(p) for p in info.context.services.catalog.packs]

    @strawberry.field(description="The viewer's credits.", extensions=[guard("credits", "read")])
    async def credits(self, info: Info) -> Credits:
        user = await signed_in_user(info)
        assert user.id is not None
        return await _credits(info, user.id)

    @strawberry.field(
        description="Staff: any user's credits and ledger.",
        extensions=[guard("credits", "read_any")],
    )
    async def user_credits(self, info: Info, user_id: strawberry.ID) -> Credits:
        return await _credits(info, user_id_of(str(user_id)))


@strawberry.type
class CreditMutation:
    @strawberry.mutation(
        description=(
            "Start buying a credit pack: the price and credits come from the catalog. Every call"
            " for the same pack while it is unpaid (double click, retry, second tab) gets the same"
            " order; a retry with the same key always does."
        ),
        extensions=[guard("credits", "buy", limit=Budget.BUY_CREDITS)],
    )
    async def buy_credits(self, info: Info, pack: str, idempotency_key: str) -> BuyCreditsResult:
        user = await signed_in_user(info)
        assert user.id is not None
        found = info.context.services.catalog.pack(pack)
        if found is None:
            return failure(outcomes.UNKNOWN_PACK)
        key = _key(idempotency_key, "idempotencyKey")
        billing = billing_of(info)
        outcome = await purchases.buy(billing, user.id, found, key)
        if isinstance(outcome, Problem):
            return failure(outcome)
        assert outcome.razorpay_order_id is not None
        return CreditCheckout(
            key_id=billing.key_id,
            order_id=outcome.razorpay_order_id,
            amount=outcome.amount,
            currency=outcome.currency,
            name=found.name,
            description=f"{outcome.credits} credits",
            prefill_email=user.email,
            pack=_pack(found),
        )

    @strawberry.mutation(
        description="Checkout's handler response for an order: verified, then credited at once.",
        extensions=[guard("credits", "buy", limit=Budget.CONFIRM_CREDIT_PURCHASE)],
    )
    async def confirm_credit_purchase(
        self,
        info: Info,
        razorpay_order_id: str,
        razorpay_payment_id: str,
        razorpay_signature: str,
    ) -> ConfirmCreditsResult:
        user = await signed_in_user(info)
        assert user.id is not None
        billing = billing_of(info)
        outcome = await purchases.confirm(
            billing,
            user.id,
            order_id=_razorpay_id(razorpay_order_id, "razorpayOrderId"),
            payment_id=_razorpay_id(razorpay_payment_id, "razorpayPaymentId"),
            signature=razorpay_signature[:256],
        )
        if isinstance(outcome, Problem):
            return failure(outcome)
        return await _purchase_result(info, outcome)

    @strawberry.mutation(
        description=(
            "Spend the viewer's credits, soonest-expiring first, once per idempotency key."
            " INSUFFICIENT_CREDITS (with the balance) when they do not cover `amount`."
        ),
        extensions=[guard("credits", "spend", limit=Budget.SPEND_CREDITS)],
    )
    async def spend_credits(
        self, info: Info, amount: int, idempotency_key: str, reason: str | None = None
    ) -> SpendCreditsResult:
        user = await signed_in_user(info)
        assert user.id is not None
        if not 0 < amount <= MAX_CREDITS:
            return failure(outcomes.INVALID_CREDITS)
        key = _key(idempotency_key, "idempotencyKey")
        now = billing_of(info).now()
        try:
            done = await account.spend(
                user.id, amount=amount, key=key, reason=reason and reason[:200], now=now
            )
        except Refused as refused:
            return failure(outcomes.insufficient_credits(refused.balance))
        if done.replayed and done.entry.amount != -amount:
            return failure(outcomes.IDEMPOTENCY_KEY_REUSED)
        return CreditBalance(balance=done.entry.balance_after)

    @strawberry.mutation(
        description=(
            "Staff: add (amount > 0) or remove (< 0) a user's credits, with a reason, once per"
            " idempotency key. Removing more than the balance is INSUFFICIENT_CREDITS."
        ),
        extensions=[guard("credits", "adjust", limit=Budget.ADJUST_CREDITS)],
    )
    async def adjust_credits(
        self, info: Info, user_id: strawberry.ID, amount: int, reason: str, idempotency_key: str
    ) -> SpendCreditsResult:
        principal = info.context.principal
        assert principal is not None, "credits:adjust is never granted to anonymous"
        if amount == 0 or abs(amount) > MAX_CREDITS:
            return failure(outcomes.INVALID_CREDITS)
        if not 1 <= len(reason) <= 200:
            raise bad_input("`reason` is 1..200 characters.", argument="reason")
        target = user_id_of(str(user_id))
        if await User.get(target) is None:
            return failure(outcomes.not_found("user"))
        try:
            done = await account.adjust(
                target,
                amount=amount,
                key=_key(idempotency_key, "idempotencyKey"),
                reason=reason,
                actor=principal.subject,
                now=billing_of(info).now(),
            )
        except Refused as refused:
            return failure(outcomes.insufficient_credits(refused.balance))
        if done.replayed and done.entry.amount != amount:
            return failure(outcomes.IDEMPOTENCY_KEY_REUSED)
        return CreditBalance(balance=done.entry.balance_after)


async def _purchase_result(info: Info, purchase: CreditPurchase) -> CreditPurchaseResult:
    stored = await CreditPurchase.get(purchase.id) or purchase
    held = await account.balance(stored.user_id, billing_of(info).now())
    return CreditPurchaseResult(
        order_id=stored.razorpay_order_id or "",
        status=stored.status.value,
        credits=stored.credits,
        balance=held.balance,
    )
