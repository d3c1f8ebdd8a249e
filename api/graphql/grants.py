"""`grantAccess`, `revokeGrant` and `accessGrants`: admins give a plan without payment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.billing.grants import (
    MAX_GRANTS,
    Granted,
    GrantRequest,
    GrantView,
    RevokeRequest,
    grant,
    grants_of,
    revoke,
)
from api.billing.outcomes import Problem
from api.documents import GrantEntry
from api.graphql.billing_context import billing_of, user_id_of
from api.graphql.context import Info
from api.graphql.errors import bad_input
from api.graphql.failures import Failure, failure
from api.graphql.guards import guard
from api.ratelimit import Budget

MAX_REASON = 500
MAX_CODE = 64


@strawberry.type(name="AccessGrant", description="A plan staff gave a user without payment.")
class AccessGrantType:
    id: strawberry.ID
    user_id: strawberry.ID
    plan: str = strawberry.field(description="The granted plan's code.")
    until: datetime
    reason: str
    granted_by: str = strawberry.field(description="The admin's token subject.")
    granted_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None


GrantResult = Annotated[AccessGrantType | Failure, strawberry.union("GrantResult")]


def grant_type(given: GrantEntry, ended: GrantEntry | None) -> AccessGrantType:
    return AccessGrantType(
        id=strawberry.ID(given.id),
        user_id=strawberry.ID(str(given.user_id)),
        plan=given.plan_code,
        until=given.until,
        reason=given.reason,
        granted_by=given.actor,
        granted_at=given.at,
        revoked_at=ended.until if ended else None,
        revoked_by=ended.actor if ended else None,
        revoke_reason=ended.reason if ended else None,
    )


def _result(outcome: Granted | Problem) -> AccessGrantType | Failure:
    if isinstance(outcome, Problem):
        return failure(outcome)
    return grant_type(outcome.entry, outcome.revocation)


def _reason(value: str | None, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise bad_input("`reason` must not be empty.", argument="reason")
    if len(text) > MAX_REASON:
        raise bad_input(f"`reason` is at most {MAX_REASON} characters.", argument="reason")
    return text or "revoked"


def _actor(info: Info) -> str:
    principal = info.context.principal
    assert principal is not None, "access:grant is never granted to anonymous"
    return principal.subject


@strawberry.type
class GrantQuery:
    @strawberry.field(
        description=f"Admin: a user's staff grants, newest first; `first` at most {MAX_GRANTS}.",
        extensions=[guard("access", "grant")],
    )
    async def access_grants(self, user_id: strawberry.ID, first: int = 20) -> list[AccessGrantType]:
        if not 1 <= first <= MAX_GRANTS:
            raise bad_input(f"`first` must be between 1 and {MAX_GRANTS}.", argument="first")
        found: list[GrantView] = await grants_of(user_id_of(user_id), first=first)
        return [grant_type(view.grant, view.revocation) for view in found]


@strawberry.type
class GrantMutation:
    @strawberry.mutation(
        description=(
            "Admin: give a user `plan` without payment until `until` (at most three years"
            " ahead). While live it is their plan unless they pay for a higher one. One live"
            " grant per user (GRANT_EXISTS: revoke it first); the default plan is"
            " PLAN_NOT_GRANTABLE, a past or too distant `until` INVALID_UNTIL, an unknown user"
            " NOT_FOUND. Written to the access audit log."
        ),
        extensions=[guard("access", "grant", limit=Budget.ACCESS_GRANT)],
    )
    async def grant_access(
        self, info: Info, user_id: strawberry.ID, plan: str, until: datetime, reason: str
    ) -> GrantResult:
        asked = GrantRequest(
            user_id=user_id_of(user_id),
            plan=plan[:MAX_CODE],
            until=until,
            reason=_reason(reason, required=True),
            actor=_actor(info),
        )
        return _result(await grant(billing_of(info), asked))

    @strawberry.mutation(
        description=(
            "Admin: end a live staff grant now (GRANT_NOT_LIVE if it has ended already)."
            " Written to the access audit log with `reason`."
        ),
        extensions=[guard("access", "grant", limit=Budget.ACCESS_GRANT)],
    )
    async def revoke_grant(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> GrantResult:
        asked = RevokeRequest(
            grant_id=str(id)[:MAX_CODE], reason=_reason(reason, required=False), actor=_actor(info)
        )
        return _result(await revoke(billing_of(info), asked))
