"""changePlan, cancelScheduledChange."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.billing.outcomes import Problem
from api.billing.plan_change.cancel import cancel_scheduled_change
from api.billing.plan_change.change import change_plan
from api.catalog.model import Period
from api.documents.plan_changes import ChangeTiming, PlanChange, PlanChangeState
from api.graphql.billing_context import billing_of, signed_in_user
from api.graphql.billing_mutations import _key
from api.graphql.context import Info
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.ratelimit import Budget

strawberry.enum(Period, description="How often a price charges.")
strawberry.enum(
    ChangeTiming,
    description="NOW: at once, with the prorated difference charged or refunded; CYCLE_END: at"
    " the end of the paid period.",
)
strawberry.enum(PlanChangeState, description="Where a plan change stands.")


@strawberry.type(name="PlanChange")
class PlanChangeType:
    id: strawberry.ID
    plan: str
    period: Period
    from_plan: str
    from_period: Period
    when: ChangeTiming
    state: PlanChangeState
    effective_at: datetime | None = strawberry.field(
        description="When the new plan applies (or applied); null until Razorpay says."
    )


def plan_change_type(change: PlanChange) -> PlanChangeType:
    return PlanChangeType(
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


def _result(outcome: PlanChange | Problem) -> PlanChangeResult:
    return failure(outcome) if isinstance(outcome, Problem) else plan_change_type(outcome)


@strawberry.type
class PlanChangeMutation:
    @strawberry.mutation(
        description=(
            "Move your live subscription to another plan or period. Up takes effect NOW (the"
            " prorated difference is charged), down at CYCLE_END (the old plan runs out what"
            " was paid for); `when` overrides that. One change in flight at a time; the same"
            " `idempotencyKey` returns the change it made."
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
    ) -> PlanChangeResult:
        user = await signed_in_user(info)
        outcome = await change_plan(
            billing_of(info),
            user,
            plan=plan[:64],
            period=period,
            timing=when,
            idempotency_key=_key(idempotency_key, "idempotencyKey"),
        )
        return _result(outcome)

    @strawberry.mutation(
        description="Take back a plan change scheduled for the cycle end; the plan stays.",
        extensions=[guard("subscription", "upgrade", limit=Budget.UPGRADE)],
    )
    async def cancel_scheduled_change(self, info: Info) -> PlanChangeResult:
        user = await signed_in_user(info)
        return _result(await cancel_scheduled_change(billing_of(info), user))
