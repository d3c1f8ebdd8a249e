"""Razorpay's statuses of subscriptions, payments and refunds, and what each means here.

Razorpay's text becomes one of these in `api.gateway.entities` and nowhere else (an unknown one
makes the entity malformed); documents store them as that text, and the schema shows them. The
questions the code asks of a status are the predicates here, so no set of statuses is kept by hand
anywhere else.
"""

from __future__ import annotations

from enum import StrEnum


class SubscriptionStatus(StrEnum):
    CREATED = "created"  # checkout opened, nothing authorised yet
    AUTHENTICATED = "authenticated"  # mandate set up, the first charge to come
    ACTIVE = "active"  # paid for the current cycle
    PENDING = "pending"  # a renewal charge failed: Razorpay retries it (T+1..T+3)
    HALTED = "halted"  # the retries failed too: a card update can revive it
    PAUSED = "paused"
    CANCELLED = "cancelled"
    COMPLETED = "completed"  # every cycle charged
    EXPIRED = "expired"  # not authenticated in time

    @property
    def is_terminal(self) -> bool:
        """Over for good: Razorpay never charges it again and nothing restarts it."""
        return self in _ENDED

    @property
    def is_live(self) -> bool:
        """Begun and not over: it may still charge, or grant access (a `created` one has had
        nothing authorised, so it can do neither until someone pays)."""
        return self is not SubscriptionStatus.CREATED and not self.is_terminal

    @property
    def still_charging(self) -> bool:
        """Razorpay will try to charge it again: its next charge date is one."""
        return self in _CHARGING


_ENDED = frozenset(
    {SubscriptionStatus.CANCELLED, SubscriptionStatus.COMPLETED, SubscriptionStatus.EXPIRED}
)
_CHARGING = frozenset(
    {SubscriptionStatus.AUTHENTICATED, SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING}
)


class PaymentStatus(StrEnum):
    CREATED = "created"
    AUTHORIZED = "authorized"  # refunded by Razorpay if not captured within 3 days
    CAPTURED = "captured"  # also after a partial refund
    REFUNDED = "refunded"  # refunded in full
    FAILED = "failed"
    # Never Razorpay's: how a captured payment part of which was refunded is shown.
    PARTIALLY_REFUNDED = "partially_refunded"

    @property
    def is_settled(self) -> bool:
        """The attempt has an outcome: money taken, or not (`created`, `authorized`: not yet)."""
        return self.money_taken or self is PaymentStatus.FAILED

    @property
    def money_taken(self) -> bool:
        """Captured, whatever was refunded of it since."""
        return self in _TAKEN


_TAKEN = frozenset(
    {PaymentStatus.CAPTURED, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}
)


class RefundStatus(StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"  # the money is on its way back
    FAILED = "failed"  # nothing was refunded (e.g. a normal refund of a payment over 6 months old)

    @property
    def is_final(self) -> bool:
        """Razorpay will not change it again."""
        return self is not RefundStatus.PENDING


class RefundRequestStatus(StrEnum):
    """A user's request that staff refund one of their payments (never Razorpay's)."""

    OPEN = "open"  # waiting for staff
    APPROVED = "approved"  # refunded through `refundPayment`'s path
    REJECTED = "rejected"  # with staff's note; the user may ask again
    FAILED = "failed"  # approved, but Razorpay refused the refund for good; the user may ask again

    @property
    def is_open(self) -> bool:
        """Staff have not decided it: no second request for its payment can open."""
        return self is RefundRequestStatus.OPEN
