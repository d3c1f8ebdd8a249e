"""The typed refusals of a plan change."""

from __future__ import annotations

from api.billing.outcomes import FailureCode, Problem


def unknown_plan(code: str, period: str) -> Problem:
    return Problem(
        FailureCode.UNKNOWN_PLAN, f"There is no plan {code[:40]!r} sold {period} in the catalog."
    )


SAME_PLAN = Problem(FailureCode.SAME_PLAN, "You are already on this plan and period.")
CHANGE_IN_FLIGHT = Problem(
    FailureCode.CHANGE_IN_FLIGHT,
    "Another plan change of yours is in flight (scheduled or being made): cancel it with"
    " cancelScheduledChange, or wait for it to apply.",
    True,
)
NOT_SUBSCRIBED = Problem(
    FailureCode.NOT_SUBSCRIBED,
    "You have no live paid subscription to change; buy a plan through upgrade instead.",
)
CANCELLING = Problem(
    FailureCode.NOT_SUBSCRIBED,
    "Your subscription is cancelled at the end of its period; there is nothing to change.",
)
NEEDS_CHECKOUT = Problem(
    FailureCode.CHANGE_NEEDS_CHECKOUT,
    "Razorpay cannot change the plan of a subscription paid by UPI, eMandate or a domestic"
    " card; this service cannot yet move it through a new Checkout. Nothing changed.",
)
PAYMENT_FAILED = Problem(
    FailureCode.CHANGE_PAYMENT_FAILED,
    "The prorated payment for the new plan failed; your plan is as it was.",
    True,
)
NO_SCHEDULED_CHANGE = Problem(FailureCode.NOT_FOUND, "You have no scheduled plan change.")
