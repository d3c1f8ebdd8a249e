"""`recordUsage` and `releaseUsage`, and the limit answers `canUse` and `entitlements` give."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from beanie import PydanticObjectId

from api.billing.entitlements import current_plan
from api.billing.outcomes import Problem
from api.billing.usage import outcomes
from api.billing.usage.ledger import UsageAsk, change_usage
from api.billing.usage.reads import check_usage, usage_of
from api.catalog.allowance import limit_decision
from api.catalog.model import Catalog, Limit, Period, Plan
from api.documents.usage import UsageDirection
from api.graphql.arguments import KEY
from api.graphql.billing_context import signed_in_user
from api.graphql.context import Info
from api.graphql.enums import FailureCode, LimitKind, Reset
from api.graphql.errors import bad_input
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.money import Money, money
from api.ratelimit import Budget


@strawberry.type(description="A plan as an offer: what upgrading to it costs.")
class PlanOffer:
    code: str
    name: str
    period: Period | None = strawberry.field(
        description="The period of `price`: the viewer's own (monthly without a subscription)"
        " when the plan is sold at it."
    )
    price: Money | None = strawberry.field(description="Null if the plan is not sold.")


@strawberry.type(description="A limit of the viewer's plan and how much of it is used.")
class LimitUsage:
    feature: str = strawberry.field(
        description="The limit's code in the catalog (`chats`); `feature`, as in `canUse`."
    )
    name: str
    kind: LimitKind
    reset: Reset | None = strawberry.field(description="Null for a count of live things.")
    limit: int | None = strawberry.field(description="The plan's amount; null when unlimited.")
    unlimited: bool
    used: int
    remaining: int | None = strawberry.field(description="Null when unlimited; 0 when over.")
    resets_at: datetime | None = strawberry.field(
        description="When a per-period limit starts again (00:00 UTC); null for a count."
    )


@strawberry.type(
    name="LimitReached", description="Recording would pass the limit: nothing was recorded."
)
class LimitReachedType:
    code: FailureCode
    message: str
    feature: str = strawberry.field(description="The limit's code in the catalog.")
    limit: int | None = strawberry.field(
        description="Never null here; nullable as in LimitUsage, so one selection reads both."
    )
    used: int
    asked: int
    resets_at: datetime | None = strawberry.field(
        description="When a per-period limit starts again (00:00 UTC); null for a count."
    )
    upgrade_to: PlanOffer | None = strawberry.field(
        description="The cheapest plan on sale that allows it; null when no plan does."
    )


@strawberry.type(description="`canUse` for a limit: would `asked` more be recorded now?")
class LimitCheck:
    feature: str = strawberry.field(description="The limit's code in the catalog.")
    name: str
    allowed: bool
    reason: str
    required_plan: str | None = strawberry.field(
        description="The code of the cheapest plan whose limit holds what is used plus `asked`;"
        " null when no plan's does."
    )
    asked: int
    usage: LimitUsage
    upgrade_to: PlanOffer | None = strawberry.field(
        description="When not allowed: the cheapest plan on sale that allows it."
    )


UsageResult = Annotated[LimitUsage | LimitReachedType | Failure, strawberry.union("UsageResult")]


def catalog_of(info: Info) -> Catalog:
    return info.context.services.catalog


async def viewer_plan(info: Info) -> Plan:
    """The plan whose limits and levels apply to the viewer (all open under the beta override)."""
    return current_plan(catalog_of(info), await info.context.access())


async def plan_offer(info: Info, plan: Plan | None) -> PlanOffer | None:
    """`plan` priced for the period the viewer pays at (monthly when they pay nothing)."""
    if plan is None:
        return None
    period = (await info.context.access()).period or Period.MONTHLY
    price = plan.price(period) or (plan.prices[0] if plan.prices else None)
    return PlanOffer(
        code=plan.code,
        name=plan.name,
        period=price.period if price else None,
        price=money(price.amount, price.currency) if price else None,
    )


def limit_usage(usage: outcomes.Usage) -> LimitUsage:
    return LimitUsage(
        feature=usage.limit.code,
        name=usage.limit.name,
        kind=usage.limit.kind,
        reset=usage.limit.reset,
        limit=usage.allowed,
        unlimited=usage.allowed is None,
        used=usage.used,
        remaining=usage.remaining,
        resets_at=usage.resets_at,
    )


async def limit_reached(info: Info, reached: outcomes.LimitReached) -> LimitReachedType:
    usage = reached.usage
    assert usage.allowed is not None, "an unlimited limit is never reached"
    offer = await plan_offer(info, reached.lifting)
    then = f"; {offer.name} allows more" if offer else ""
    return LimitReachedType(
        code=FailureCode.LIMIT_REACHED,
        message=f"{usage.limit.name}: {usage.used} of {usage.allowed} used{then}.",
        feature=usage.limit.code,
        limit=usage.allowed,
        used=usage.used,
        asked=reached.asked,
        resets_at=usage.resets_at,
        upgrade_to=offer,
    )


async def usage_result(
    info: Info, outcome: outcomes.Usage | outcomes.LimitReached | Problem
) -> LimitUsage | LimitReachedType | Failure:
    if isinstance(outcome, Problem):
        return failure(outcome)
    if isinstance(outcome, outcomes.LimitReached):
        return await limit_reached(info, outcome)
    return limit_usage(outcome)


async def limit_check(info: Info, limit: Limit, quantity: int) -> LimitCheck:
    """`canUse` for a limit: one read of the counter's latest entry; records nothing."""
    catalog, plan = catalog_of(info), await viewer_plan(info)
    user = await signed_in_user(info)
    now = info.context.services.clock.now()
    found = await check_usage(catalog, plan, user.id, limit, quantity, now)
    reached = isinstance(found, outcomes.LimitReached)
    usage = found.usage if isinstance(found, outcomes.LimitReached) else found
    decision = limit_decision(catalog, plan, limit, usage.used + quantity)
    lifting = found.lifting if isinstance(found, outcomes.LimitReached) else None
    return LimitCheck(
        feature=limit.code,
        name=limit.name,
        allowed=not reached,
        reason=f"{usage.used} used; {decision.reason}" if usage.used else decision.reason,
        required_plan=decision.required_plan.code if decision.required_plan else None,
        asked=quantity,
        usage=limit_usage(usage),
        upgrade_to=await plan_offer(info, lifting),
    )


async def limits_of(info: Info, user_id: PydanticObjectId | None) -> list[LimitUsage]:
    """Every limit of the catalog for the viewer: one read per limit."""
    plan = await viewer_plan(info)
    now = info.context.services.clock.now()
    return [
        limit_usage(await usage_of(plan, user_id, limit, now)) for limit in catalog_of(info).limits
    ]


async def _change(
    info: Info, feature: str, quantity: int, key: str, direction: UsageDirection
) -> LimitUsage | LimitReachedType | Failure:
    if not KEY.fullmatch(key):
        raise bad_input(
            "`idempotencyKey` must be 10-64 characters from A-Z a-z 0-9 _ -.",
            argument="idempotencyKey",
        )
    user = await signed_in_user(info)
    assert user.id is not None
    ask = UsageAsk(user.id, feature[:64], quantity, key, direction)
    now = info.context.services.clock.now()
    outcome = await change_usage(catalog_of(info), await viewer_plan(info), ask, now)
    return await usage_result(info, outcome)


KEY_RULE = (
    " The same `idempotencyKey` (per user) returns the first result and counts once; the key"
    " with another feature or quantity is IDEMPOTENCY_KEY_REUSED. A LIMIT_REACHED or Failure"
    " leaves the key unused."
)


@strawberry.type
class UsageMutation:
    @strawberry.mutation(
        description="For the product's backend, with the user's token: record `quantity` of a"
        " limit (`chats`, `projects`) before doing the thing. Never passes the plan's limit:"
        " past it, LIMIT_REACHED and nothing recorded." + KEY_RULE,
        extensions=[guard("usage", "record", limit=Budget.USAGE)],
    )
    async def record_usage(
        self, info: Info, feature: str, quantity: int, idempotency_key: str
    ) -> UsageResult:
        return await _change(info, feature, quantity, idempotency_key, UsageDirection.RECORD)

    @strawberry.mutation(
        description="Give back `quantity` of a count of live things (a project deleted)."
        " Per-period limits reset by themselves: NOT_RELEASABLE." + KEY_RULE,
        extensions=[guard("usage", "release", limit=Budget.USAGE)],
    )
    async def release_usage(
        self, info: Info, feature: str, quantity: int, idempotency_key: str
    ) -> UsageResult:
        return await _change(info, feature, quantity, idempotency_key, UsageDirection.RELEASE)
