"""The credit root fields: creditPacks, credits, userCredits, buyCredits, confirmCreditPurchase,
spendCredits, adjustCredits."""

from __future__ import annotations

import strawberry

from api.billing import outcomes
from api.billing.credits import account, purchases
from api.billing.credits.ledger import Refused
from api.billing.outcomes import Problem
from api.documents import User
from api.documents.credits import CreditPurchase
from api.graphql import arguments
from api.graphql.billing_context import billing_of, signed_in_user, user_id_of
from api.graphql.context import Info
from api.graphql.credit_types import (
    BuyCreditsResult,
    ConfirmCreditsResult,
    CreditBalance,
    CreditCheckout,
    CreditPack,
    CreditPurchaseResult,
    Credits,
    SpendCreditsResult,
    credits_of,
    pack_type,
)
from api.graphql.errors import bad_input
from api.graphql.failures import failure
from api.graphql.guards import guard
from api.ratelimit import Budget

MAX_CREDITS = 1_000_000


@strawberry.type
class CreditQuery:
    @strawberry.field(
        description="The credit packs on sale.", extensions=[guard("credit_pack", "read")]
    )
    def credit_packs(self, info: Info) -> list[CreditPack]:
        return [pack_type(p) for p in info.context.services.catalog.packs]

    @strawberry.field(description="The viewer's credits.", extensions=[guard("credits", "read")])
    async def credits(self, info: Info) -> Credits:
        user = await signed_in_user(info)
        assert user.id is not None
        return await credits_of(info, user.id)

    @strawberry.field(
        description="Staff: any user's credits and ledger.",
        extensions=[guard("credits", "read_any")],
    )
    async def user_credits(self, info: Info, user_id: strawberry.ID) -> Credits:
        return await credits_of(info, user_id_of(str(user_id)))


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
        key = arguments.idempotency_key(idempotency_key, "idempotencyKey")
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
            pack=pack_type(found),
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
            order_id=arguments.razorpay_id(razorpay_order_id, "razorpayOrderId"),
            payment_id=arguments.razorpay_id(razorpay_payment_id, "razorpayPaymentId"),
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
        key = arguments.idempotency_key(idempotency_key, "idempotencyKey")
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
                key=arguments.idempotency_key(idempotency_key, "idempotencyKey"),
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
