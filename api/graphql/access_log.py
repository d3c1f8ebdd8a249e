"""`accessChanges(userId)`: admins read why a user's access changed, and when."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.billing.audit import MAX_CHANGES, access_changes
from api.documents import AccessChange
from api.graphql.billing_context import user_id_of
from api.graphql.errors import bad_input
from api.graphql.guards import guard


@strawberry.type(name="AccessChange", description="One change of a user's access.")
class AccessChangeType:
    subscription_id: str | None = strawberry.field(description="Null for a staff grant's.")
    before: datetime | None = strawberry.field(description="Access until, before the change.")
    after: datetime | None = strawberry.field(description="Access until, after the change.")
    reason: str
    source: str = strawberry.field(description="What caused it: a mutation, a webhook event id.")
    at: datetime
    grant_id: str | None = strawberry.field(description="The staff grant given or revoked.")
    actor: str | None = strawberry.field(
        description="Who granted or revoked it (a token subject); null when not staff."
    )


def access_change_type(change: AccessChange) -> AccessChangeType:
    return AccessChangeType(
        subscription_id=change.razorpay_subscription_id,
        before=change.before,
        after=change.after,
        reason=change.reason,
        source=change.source,
        at=change.at,
        grant_id=change.grant_id,
        actor=change.actor,
    )


@strawberry.type
class AccessLogQuery:
    @strawberry.field(
        description=f"Admin: a user's changes of access, newest first; `first` at most "
        f"{MAX_CHANGES}.",
        extensions=[guard("access", "read_any")],
    )
    async def access_changes(
        self, user_id: strawberry.ID, first: int = 20
    ) -> list[AccessChangeType]:
        if not 1 <= first <= MAX_CHANGES:
            raise bad_input(f"`first` must be between 1 and {MAX_CHANGES}.", argument="first")
        found = await access_changes(user_id_of(user_id), first=first)
        return [access_change_type(change) for change in found]
