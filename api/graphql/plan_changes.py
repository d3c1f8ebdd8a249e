"""changePlan, cancelScheduledChange, and pendingPlanChange (the change in flight)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change.cancel import cancel_scheduled_change
from api.billing.plan_change.change import Ask, change_plan
from api.billing.plan_change.pending import pending_change
from api.documents import User
from api.documents.plan_changes import PlanChange
from api.graphql.arguments import idempotency_key as checked_key
from api.graphql.billing_context import billing_of, signed_in_user
from api.graphql.billing_mutations import CheckoutDetails
from api.graphql.context import Info
from api.graphql.enums import ChangePath, ChangeTiming, Period, PlanChangeState
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.plans import PlanType, plan_type
from api.ratelimit import Budget


@strawberry.type(name="PlanChange")
class PlanChangeType:
    id: strawberry.ID
    plan: str
    to_plan: PlanType | None = strawberry.field(
        description="The plan it moves to, as the catalog has it (`plan` is its code);"
        " null if since taken out of the catalog."
    )
    period: Period
    from_plan: str
    from_period: Period
    when: ChangeTiming
    state: PlanChangeState
    effective_at: datetime | None = strawberry.field(
        description="When the new plan applies (or applied); null until Razorpay says."
    )
    path: ChangePath
    checkout: CheckoutDetails | None = strawberry.field(
        description="While AWAITING_PAYMENT: open Razorpay Checkout with these, then send its"
        " handler's fields to confirmCheckout. Your old plan stays until it is paid."
    )
    trial_ends_at: datetime | None = strawberry.field(
        description="A trial's end: the first charge falls then."
    )
    refunded_paise: int | None = strawberry.field(
        description="The unused part of the old period refunded when a new subscription"
        " replaced it (paise; 0 when under Razorpay's 100-paise minimum)."
    )


def _checkout(billing: Billing, user: User, change: PlanChange) -> CheckoutDetails | None:
    if change.state is not PlanChangeState.AWAITING_PAYMENT:
        return None
    assert change.new_razorpay_subscription_id is not None
    plan = billing.catalog.plan(change.to_plan)
    name = plan.name if plan is not None else change.to_plan
    return CheckoutDetails(
        key_id=billing.key_id,
        subscription_id=change.new_razorpay_subscription_id,
        name=name,
        description=f"{name}, {change.to_period.value}",
        prefill_email=user.email,
    )


def plan_change_type(billing: Billing, user: User, change: PlanChange) -> PlanChangeType:
    to_plan = billing.catalog.plan(change.to_plan)
    return PlanChangeType(
        to_plan=plan_type(to_plan, billing.catalog) if to_plan is not None else None,
        path=change.path,
        checkout=_checkout(billing, user, change),
        trial_ends_at=change.trial_ends_at,
        refunded_paise=change.refunded_paise,
        id=strawberry.ID(str(change.id)),
        plan=change.to_plan,
        period=change.to_period,
        from_plan=change.from_plan,
        from_period=change.from_period,
        when=change.timing,
        state=change.state,
        effective_at=change.effective_at,
    )


PlanChangeResult = Annotated[PlanChangeType | Failure, strawberry.union("PlanChangeResult")]


def _result(billing: Billing, user: User, outcome: PlanChange | Problem) -> PlanChangeResult:
    if isinstance(outcome, Problem):
        return failure(outcome)
    return plan_change_type(billing, user, outcome)


@strawberry.type
class PlanChangeMutation:
    @strawberry.mutation(
        description=(
            "Move your live subscription to another plan or period, or buy a plan (with its"
            " trial unless `trial: false`; one trial per user and email). Up takes effect NOW"
            " (the prorated difference is charged, or with UPI/eMandate/a domestic card the new"
            " plan is paid through `checkout` and the unused old time refunded), down at"
            " CYCLE_END (the old plan runs out what was paid for); `when` overrides that. One"
            " change in flight at a time; the same `idempotencyKey` returns the change it made."
        ),
        extensions=[guard("subscription", "upgrade", limit=Budget.UPGRADE)],
    )
    async def change_plan(
        self,
        info: Info,
        plan: str,
        idempotency_key: str,
        period: Period = Period.MONTHLY,
        when: ChangeTiming | None = None,
        trial: bool = True,
    ) -> PlanChangeResult:
        user = await signed_in_user(info)
        ask = Ask(
            plan=plan[:64],
            period=period,
            timing=when,
            idempotency_key=checked_key(idempotency_key, "idempotencyKey"),
            trial=trial,
        )
        billing = billing_of(info)
        return _result(billing, user, await change_plan(billing, user, ask))

    @strawberry.mutation(
        description="Take back a plan change scheduled for the cycle end; the plan stays.",
        extensions=[guard("subscription", "upgrade", limit=Budget.UPGRADE)],
    )
    async def cancel_scheduled_change(self, info: Info) -> PlanChangeResult:
        user = await signed_in_user(info)
        billing = billing_of(info)
        return _result(billing, user, await cancel_scheduled_change(billing, user))


@strawberry.type
class PlanChangeQuery:
    @strawberry.field(
        description=(
            "Your plan change in flight (SCHEDULED for the cycle end, or AWAITING_PAYMENT in"
            " Checkout), which cancelScheduledChange takes back; null when there is none."
            " A move down to the free plan is not one: it shows as the subscription's"
            " cancelAtPeriodEnd."
        ),
        extensions=[guard("subscription", "read")],
    )
    async def pending_plan_change(self, info: Info) -> PlanChangeType | None:
        user = await signed_in_user(info)
        assert user.id is not None
        change = await pending_change(user.id)
        return plan_change_type(billing_of(info), user, change) if change is not None else None
