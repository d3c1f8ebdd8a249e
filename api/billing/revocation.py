"""Ending access for a refund that revokes it, and saying what is left when that is not done.

Access ends here (a local observation that outranks any late grant); then Razorpay is asked to
cancel the subscription, so that it charges no more. Either step can be left undone: the payment
may name no subscription to revoke, or the cancel may fail. The refund stands either way, so the
outcome carries it with what is unfinished, and the same request under the same key finishes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import structlog

from api.billing.deps import Billing
from api.billing.subscription import store
from api.billing.subscription.lifecycle import Decision
from api.documents import Payment, Refund, Subscription, SubscriptionObservation
from api.gateway.errors import GatewayCallError

log = structlog.get_logger("billing.refunds")
FINISH = "Send the same request with the same idempotency key to finish; it does not refund again."


class Unfinished(Enum):
    REVOKE_ACCESS = "revoke_access"  # no subscription to revoke: access is as it was
    STOP_CHARGING = "stop_charging"  # access ended, but Razorpay may charge the subscription again


@dataclass(frozen=True)
class RevokeIncomplete:
    refund: Refund
    unfinished: Unfinished
    message: str
    retryable: bool


async def revoke_for(
    billing: Billing, payment: Payment, refund: Refund, *, cause: str
) -> Refund | RevokeIncomplete:
    """The refund once access has ended and charging stopped; otherwise what is left to do."""
    subscription_id = payment.razorpay_subscription_id
    if subscription_id is None:
        log.error("revoke_without_subscription", payment=payment.id, cause=cause)
        return RevokeIncomplete(
            refund,
            Unfinished.REVOKE_ACCESS,
            f"{_made(refund)}, but access was not revoked: payment {payment.id} is not linked to a"
            f" subscription yet. {FINISH}",
            retryable=True,
        )
    try:
        await revoke_access(billing, subscription_id, cause=cause)
    except GatewayCallError as error:
        log.error("revoke_cancel_failed", subscription=subscription_id, error=error.message)
        return _charging_not_stopped(refund, subscription_id, error)
    return refund


def _made(refund: Refund) -> str:
    return f"Refund {refund.id} ({refund.amount} paise) was made"


def _charging_not_stopped(
    refund: Refund, subscription_id: str, error: GatewayCallError
) -> RevokeIncomplete:
    then = FINISH if error.retryable else "Check the subscription in Razorpay's Dashboard."
    return RevokeIncomplete(
        refund,
        Unfinished.STOP_CHARGING,
        f"{_made(refund)} and Pro access has ended, but Razorpay did not cancel subscription"
        f" {subscription_id} ({error.message}), so it may charge again. {then}",
        retryable=error.retryable,
    )


async def revoke_access(
    billing: Billing, razorpay_subscription_id: str, *, cause: str
) -> Subscription | None:
    """End access now and stop Razorpay charging again; the revoke outranks any late grant.

    Raises the gateway's error when Razorpay does not cancel: access has ended by then.
    """
    await store.record(
        SubscriptionObservation(
            id=f"revoke:{cause}",
            razorpay_subscription_id=razorpay_subscription_id,
            event=Decision.ACCESS_REVOKED,
            observed_at=billing.now(),
            source=f"mutation:refundPayment:{cause}",
        )
    )
    refreshed = await store.refresh(
        razorpay_subscription_id, grace=billing.grace, now=billing.now()
    )
    subscription = refreshed.subscription
    if subscription is None or subscription.state.razorpay.status.is_terminal:
        return subscription  # Razorpay will not charge it again: nothing to cancel
    # A later charge cannot restore access (the revoke outranks it), but it would take money.
    snapshot = await billing.gateway.cancel_subscription(
        razorpay_subscription_id, at_cycle_end=False
    )
    observed = await store.observe(
        billing, snapshot, id=f"revoke-cancel:{cause}", source=f"mutation:refundPayment:{cause}"
    )
    return observed.subscription
