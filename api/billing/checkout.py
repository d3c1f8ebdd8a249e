"""`confirmCheckout`: the checkout handler's proof of payment, turned into access at once.

This path and the webhook converge on the same records: the payment is stored once under its
Razorpay id, and access is the fold of every observation, whichever arrives first.
"""

from __future__ import annotations

from api.billing import outcomes
from api.billing.attribution import Owner
from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.payments import record_payment
from api.billing.plan_change.finish import after_observing
from api.billing.subscription import store
from api.billing.subscription.queries import owned_subscription
from api.documents import Subscription, User
from api.gateway.errors import GatewayCallError


async def confirm_checkout(
    billing: Billing, user: User, *, payment_id: str, subscription_id: str, signature: str
) -> Subscription | Problem:
    assert user.id is not None
    # The signature binds the payment to the subscription with our key secret: nothing else
    # from the browser is trusted, and the rest is fetched from Razorpay itself.
    if not billing.gateway.verify_subscription_checkout(payment_id, subscription_id, signature):
        return outcomes.INVALID_SIGNATURE
    subscription = await owned_subscription(user.id, subscription_id)
    if subscription is None:
        return outcomes.not_found("subscription")
    try:
        payment = await billing.gateway.fetch_payment(payment_id)
        snapshot = await billing.gateway.fetch_subscription(subscription_id)
    except GatewayCallError as error:
        return outcomes.from_gateway(error)
    if not payment.captured:
        return outcomes.NOT_PAID
    await record_payment(billing, payment, Owner.of(subscription), source=f"checkout:{payment_id}")
    observed = await store.observe(
        billing, snapshot, id=f"checkout:{payment_id}", source="mutation:confirmCheckout"
    )
    # The new subscription of a plan change, paid: the old one ends, the unused time refunded.
    await after_observing(billing, subscription_id)
    return observed.subscription or subscription
