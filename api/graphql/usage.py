"""`recordUsage` and `releaseUsage`, and the limit answers `canUse` and `entitlements` give."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from beanie import PydanticObjectId

from api.billing.outcomes import Problem
from api.billing.usage import outcomes
from api.billing.usage.ledger import UsageAsk, change_usage
from api.billing.usage.plan_of import plan_of
from api.billing.usage.reads import check_usage, usage_of
from api.catalog.model import Catalog, Plan
from api.documents.usage import UsageDirection
from api.graphql.billing_context import signed_in_user
from api.graphql.billing_mutations import KEY
from api.graphql.context import Info
from api.graphql.enums import FailureCode
from api.graphql.errors import bad_input
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.graphql.money import Money, money
from api.ratelimit import Budget


@strawberry.type(description="A plan as an offer: what upgrading to it costs.")
class PlanOffer:
    code: str
    name: str
    price: Money | None = strawberry.field(description="Its first price; null if not sold.")


@strawberry.type(description="A limit of the viewer's plan and how much of it is used.")
class LimitUsage:
    feature: str = strawberry.field(description="The limit's code in the catalog (`chats`).")
    name: str
    used: int
    limit: int | None = strawberry.field(description="Null when unlimited.")
    unlimited: bool
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
    feature: str
    limit: int | None = strawberry.field(
        description="Never null here; nullable as in LimitUsage, so one selection reads both."
    )
    used: int
    asked: int
    resets_at: datetime | None = strawberry.field(
        description="When a per-period limit starts again (00:00 UTC); null for a count."
    )
    upgrade_to: PlanOffer | None = strawberry.field(
        description="The cheapest plan that allows it; null when no plan does."
    )


@strawberry.type(description="Whether using `asked` more of a limit now would be recorded.")
class LimitCheck:
    allowed: bool
    asked: int
    usage: LimitUsage
    upgrade_to: PlanOffer | None = strawberry.field(
        description="When not allowed: the cheapest plan that allows it."
    )


UsageResult = Annotated[LimitUsage | LimitReachedType | Failure, strawberry.union("UsageResult")]


def plan_offer(plan: Plan | None) -> PlanOffer | None:
    if plan is None:
        return None
    price = plan.prices[0] if plan.prices else None
    return PlanOffer(
        code=plan.code,
        name=plan.name,
        price=money(price.amount, price.currency) if price else None,
    )


def limit_usage(usage: outcomes.Usage) -> LimitUsage:
    return LimitUsage(
        feature=usage.limit.code,
        name=usage.limit.name,
        used=usage.used,
        limit=usage.allowed,
        unlimited=usage.allowed is None,
        remaining=usage.remaining,
        resets_at=usage.resets_at,
    )


def limit_reached(reached: outcomes.LimitReached) -> LimitReachedType:
    usage = reached.usage
    assert usage.allowed is not None, "an unlimited limit is never reached"
    offer = plan_offer(reached.lifting)
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


def usage_result(
    outcome: outcomes.Usage | outcomes.LimitReached | Problem,
) -> LimitUsage | LimitReachedType | Failure:
    if isinstance(outcome, Problem):
        return failure(outcome)
    if isinstance(outcome, outcomes.LimitReached):
        return limit_reached(outcome)
    return limit_usage(outcome)


async def viewer_plan(info: Info) -> Plan:
    return plan_of(catalog_of(info), await info.context.access())


def catalog_of(info: Info) -> Catalog:
    return info.context.services.catalog


async def limit_check(info: Info, code: str, quantity: int) -> LimitCheck | Failure:
    """`canUse` for a limit: one read of the counter's latest entry."""
    catalog = catalog_of(info)
    limit = catalog.limit(code)
    if limit is None:
        return failure(outcomes.unknown_feature(code))
    if not 1 <= quantity <= outcomes.MAX_QUANTITY:
        return failure(outcomes.INVALID_QUANTITY)
    user = await signed_in_user(info)
    now = info.context.services.clock.now()
    found = await check_usage(catalog, await viewer_plan(info), user.id, limit, quantity, now)
    if isinstance(found, outcomes.LimitReached):
        usage = limit_usage(found.usage)
        return LimitCheck(
            allowed=False, asked=quantity, usage=usage, upgrade_to=plan_offer(found.lifting)
        )
    return LimitCheck(allowed=True, asked=quantity, usage=limit_usage(found), upgrade_to=None)


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
    return usage_result(outcome)


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
