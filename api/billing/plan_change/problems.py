"""The typed refusals of a plan change."""

from __future__ import annotations

from api.billing.outcomes import FailureCode, Problem


def unknown_plan(code: str, period: str) -> Problem:
    return Problem(
        FailureCode.UNKNOWN_PLAN, f"There is no plan {code[:40]!r} sold {period} in the catalog."
    )


SAME_PLAN = Problem(FailureCode.SAME_PLAN, "You are already on this plan and period.")
FREE_AT_CYCLE_END = Problem(
    FailureCode.TIMING_NOT_OFFERED,
    "A move to the free plan takes effect at the end of the paid period (CYCLE_END): the"
    " subscription is cancelled then. To end it now, use cancelSubscription(atPeriodEnd: false).",
)
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
TRIAL_USED = Problem(
    FailureCode.TRIAL_USED,
    "You (or someone with your email address) already had a trial: ask again with"
    " `trial: false` to pay now.",
)
PAYMENT_FAILED = Problem(
    FailureCode.CHANGE_PAYMENT_FAILED,
    "The prorated payment for the new plan failed; your plan is as it was.",
    True,
)
NO_SCHEDULED_CHANGE = Problem(
    FailureCode.NOT_FOUND, "You have no plan change scheduled or waiting for its payment."
)
NOT_TAKEN_BACK = Problem(
    FailureCode.CHANGE_IN_FLIGHT,
    "This change's new subscription is paid for (or its mandate authenticated) and the old one"
    " is being ended; Razorpay cannot take that back. Change plan again once it has applied.",
)


def checkout_open(plan_name: str) -> Problem:
    return Problem(
        FailureCode.CHANGE_IN_FLIGHT,
        f"Your checkout for {plan_name} is open and unpaid: pay it (`upgrade` gives it again),"
        " or ask again once it has lapsed.",
        True,
    )
