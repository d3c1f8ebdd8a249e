"""upgrade, confirmCheckout, cancelSubscription, refundPayment."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from api.billing.cancel import cancel_subscription
from api.billing.checkout import confirm_checkout
from api.billing.outcomes import Problem
from api.billing.refunds import RefundAsk, refund_payment
from api.billing.upgrade import Checkout, offer, upgrade
from api.catalog.model import Period
from api.graphql import arguments
from api.graphql.billing_context import billing_of, signed_in_user
from api.graphql.context import Info
from api.graphql.errors import bad_input
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.refund_results import RefundResult, refund_result
from api.graphql.subscription import SubscriptionType, subscription_type
from api.ratelimit import Budget

# Still accepted, so that clients sending it keep working; to be removed.
UPGRADE_KEY_IGNORED = (
    "Ignored: `upgrade` is idempotent per user (the same unpaid checkout for every call), so a"
    " key adds nothing. Leave it out."
)


@strawberry.type(description="What Razorpay Checkout needs: pass these as Checkout's options.")
class CheckoutDetails:
    key_id: str
    subscription_id: str
    name: str
    description: str
    prefill_email: str | None


@strawberry.enum
class RefundSpeed(Enum):
    NORMAL = "normal"
    OPTIMUM = "optimum"


@strawberry.enum
class RefundAccess(Enum):
    KEEP = "keep"
    REVOKE_NOW = "revoke_now"


UpgradeResult = Annotated[CheckoutDetails | Failure, strawberry.union("UpgradeResult")]
SubscriptionResult = Annotated[SubscriptionType | Failure, strawberry.union("SubscriptionResult")]


@strawberry.type
class BillingMutation:
    @strawberry.mutation(
        description=(
            "Start buying a plan (from the default plan only; moving between paid plans is a"
            " plan change). Every call by the same user (double click, retry, second tab)"
            " gets the same checkout while it is unpaid, and never a second live subscription."
        ),
        extensions=[guard("subscription", "upgrade", limit=Budget.UPGRADE)],
    )
    async def upgrade(
        self,
        info: Info,
        idempotency_key: Annotated[
            str | None, strawberry.argument(deprecation_reason=UPGRADE_KEY_IGNORED)
        ] = None,
        plan: Annotated[
            str | None,
            strawberry.argument(description="A plan code; null: the cheapest plan for sale."),
        ] = None,
        period: Period = Period.MONTHLY,
        trial: Annotated[
            bool,
            strawberry.argument(
                description="Start with the plan's trial, if it has one (one per user and"
                " email: TRIAL_USED); false: pay now."
            ),
        ] = True,
    ) -> UpgradeResult:
        billing = billing_of(info)
        sale = offer(billing.catalog, plan, period)
        if isinstance(sale, Problem):
            return failure(sale)
        user = await signed_in_user(info)
        outcome = await upgrade(billing, user, *sale, with_trial=trial)
        if isinstance(outcome, Problem):
            return failure(outcome)
        return _checkout(outcome)

    @strawberry.mutation(
        description="Checkout's handler response: verified, then Pro at once.",
        extensions=[guard("subscription", "upgrade", limit=Budget.CONFIRM_CHECKOUT)],
    )
    async def confirm_checkout(
        self,
        info: Info,
        razorpay_payment_id: str,
        razorpay_subscription_id: str,
        razorpay_signature: str,
    ) -> SubscriptionResult:
        user = await signed_in_user(info)
        outcome = await confirm_checkout(
            billing_of(info),
            user,
            payment_id=arguments.razorpay_id(razorpay_payment_id, "razorpayPaymentId"),
            subscription_id=arguments.razorpay_id(
                razorpay_subscription_id, "razorpaySubscriptionId"
            ),
            signature=razorpay_signature[:256],
        )
        if isinstance(outcome, Problem):
            return failure(outcome)
        return subscription_type(outcome, info.context.services.catalog)

    @strawberry.mutation(
        description="Cancel Pro: at the end of the paid period (default), or now.",
        extensions=[guard("subscription", "cancel", limit=Budget.CANCEL_SUBSCRIPTION)],
    )
    async def cancel_subscription(
        self, info: Info, at_period_end: bool = True
    ) -> SubscriptionResult:
        user = await signed_in_user(info)
        outcome = await cancel_subscription(billing_of(info), user, at_period_end=at_period_end)
        if isinstance(outcome, Problem):
            return failure(outcome)
        return subscription_type(outcome, info.context.services.catalog)

    @strawberry.mutation(
        description=(
            "Staff: refund a payment, fully or partly (at least 100 paise), keeping or revoking"
            " access. A key is for one request and keeps its outcome: sending the request again"
            " with the same `idempotencyKey` returns the first refund (finishing a revoke left"
            " undone) or Razorpay's refusal again. A Failure found before Razorpay is called"
            " (INVALID_AMOUNT, PAYMENT_NOT_LINKED, ...) leaves the key unused."
        ),
        extensions=[guard("payment", "refund", limit=Budget.REFUND_PAYMENT)],
    )
    async def refund_payment(
        self,
        info: Info,
        payment_id: str,
        idempotency_key: str,
        amount: int | None = None,
        reason: str | None = None,
        speed: RefundSpeed = RefundSpeed.NORMAL,
        access: RefundAccess = RefundAccess.KEEP,
        allow_credit_shortfall: Annotated[
            bool,
            strawberry.argument(
                description=(
                    "A credit purchase: refund even when the user has spent credits the refund"
                    " takes back; the shortfall is written to the ledger. Otherwise"
                    " CREDITS_ALREADY_SPENT."
                )
            ),
        ] = False,
    ) -> RefundResult:
        principal = info.context.principal
        assert principal is not None, "payment:refund is never granted to anonymous"
        if reason is not None and len(reason) > 250:
            raise bad_input("`reason` is at most 250 characters.", argument="reason")
        ask = RefundAsk(
            payment_id=arguments.razorpay_id(payment_id, "paymentId"),
            amount=amount,
            reason=reason,
            speed="optimum" if speed is RefundSpeed.OPTIMUM else "normal",
            revoke_access=access is RefundAccess.REVOKE_NOW,
            requested_by=principal.subject,
            idempotency_key=arguments.idempotency_key(idempotency_key, "idempotencyKey"),
            allow_credit_shortfall=allow_credit_shortfall,
        )
        return refund_result(await refund_payment(billing_of(info), ask))


def _checkout(checkout: Checkout) -> CheckoutDetails:
    return CheckoutDetails(
        key_id=checkout.key_id,
        subscription_id=checkout.subscription_id,
        name=checkout.name,
        description=checkout.description,
        prefill_email=checkout.prefill_email,
    )
