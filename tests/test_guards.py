"""Guards: on every root field, declared where the field is; decisions memoized; denials coded."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import strawberry

from api.authz.caller import Caller
from api.graphql.guards import guard, guards_of
from api.graphql.schema import build_schema
from api.identity.tokens import Principal
from api.services import Services
from tests.billing_calls import STAFF_PAYMENTS, become_pro, call, user_id
from tests.policy_files import POLICIES, authorizer_of
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

# Root fields anyone may call without a guard. None: what is public is granted to `anonymous` in
# policies/policy.csv, so the policy alone says what is public.
PUBLIC_ROOT_FIELDS: frozenset[str] = frozenset()


async def test_every_root_field_has_a_guard_or_is_explicitly_public() -> None:
    fields = guards_of(build_schema())

    unguarded = {
        name
        for name, permission in fields.items()
        if name.startswith(("Query.", "Mutation.")) and permission is None
    }

    assert unguarded <= PUBLIC_ROOT_FIELDS, f"root fields without a guard: {sorted(unguarded)}"


# Type fields readable by whoever may reach their parent, reviewed one by one: each parent is
# reached only through a guarded root field that scopes it to the caller (or is public). A new
# field must be added here on purpose, or carry a guard; a staff-only one carries a guard.
OPEN_TYPE_FIELDS: dict[str, frozenset[str]] = {
    # Both reached only through admin-guarded root fields (accessChanges; the grant mutations
    # and accessGrants, access:grant).
    "AccessChange": frozenset(
        {"actor", "after", "at", "before", "grantId", "reason", "source", "subscriptionId"}
    ),
    "AccessGrant": frozenset(
        {
            "grantedAt",
            "grantedBy",
            "id",
            "plan",
            "reason",
            "revokeReason",
            "revokedAt",
            "revokedBy",
            "until",
            "userId",
        }
    ),
    "CheckoutConfig": frozenset({"sandbox", "scriptUrl"}),  # public: which script to load
    "CheckoutDetails": frozenset(
        {"description", "keyId", "name", "prefillEmail", "subscriptionId"}
    ),
    "CurrentPeriod": frozenset({"end", "start"}),
    "Entitlements": frozenset({"accessUntil", "features", "levels", "limits", "plan", "reason"}),
    "Failure": frozenset({"code", "message", "retryable"}),
    "FeatureAccess": frozenset({"allowed", "feature", "name", "reason", "requiredPlan"}),
    "GithubImport": frozenset(
        {"id", "owner", "repository", "repositoryUrl", "requestedAt", "status"}
    ),
    "LevelAccess": frozenset({"above", "code", "name", "value"}),
    "LevelStep": frozenset({"plan", "value"}),
    "LimitCheck": frozenset(
        {"allowed", "asked", "feature", "name", "reason", "requiredPlan", "upgradeTo", "usage"}
    ),
    "LimitReached": frozenset(
        {"asked", "code", "feature", "limit", "message", "resetsAt", "upgradeTo", "used"}
    ),
    "LimitUsage": frozenset(
        {"feature", "kind", "limit", "name", "remaining", "reset", "resetsAt", "unlimited", "used"}
    ),
    "Money": frozenset({"amount", "currency", "formatted"}),
    "PageInfo": frozenset({"endCursor", "hasNextPage"}),
    "Payment": frozenset(
        {
            "amount",
            "cardLast4",
            "cardNetwork",
            "createdAt",
            "failureReason",
            "id",
            "invoiceId",
            "method",
            "orderId",
            "pack",
            "credits",
            "refunded",
            "refundRequests",
            "refunds",
            "status",
            "subscriptionId",
        }
    ),
    "PaymentConnection": frozenset({"edges", "pageInfo"}),
    # Credits: the viewer's own (reached through guarded root fields), or public packs.
    "CreditBalance": frozenset({"balance"}),
    "CreditCheckout": frozenset(
        {"amount", "currency", "description", "keyId", "name", "orderId", "pack", "prefillEmail"}
    ),
    "CreditPack": frozenset({"code", "credits", "name", "price", "validityDays"}),
    "CreditPurchaseResult": frozenset({"balance", "credits", "orderId", "status"}),
    # userId is strawberry.Private: the resolver's, never in the schema.
    "CreditAccount": frozenset({"balance", "expiringSoon", "history", "userId"}),
    "CreditEntry": frozenset(
        {"amount", "at", "balanceAfter", "cursor", "kind", "pack", "reason", "shortfall"}
    ),
    "PaymentEdge": frozenset({"cursor", "node"}),
    "Plan": frozenset(
        {"code", "features", "id", "levels", "limits", "name", "prices", "rank", "trialDays"}
    ),
    "PlanOffer": frozenset({"code", "name", "period", "price"}),
    "PlanFeature": frozenset({"code", "included", "name", "plan"}),
    "PlanLevel": frozenset({"code", "name", "value"}),
    "PlanLimit": frozenset({"amount", "code", "kind", "name", "reset", "unlimited"}),
    "PlanPrice": frozenset({"interval", "period", "price"}),
    # The caller's own change, reached only through changePlan / cancelScheduledChange.
    "PlanChange": frozenset(
        {
            "checkout",
            "effectiveAt",
            "fromPeriod",
            "fromPlan",
            "id",
            "path",
            "period",
            "plan",
            "refundedPaise",
            "state",
            "toPlan",  # the catalog's plan, public through `plans` anyway
            "trialEndsAt",
            "when",
        }
    ),
    "Refund": frozenset({"amount", "createdAt", "id", "reason", "speed", "status"}),
    # Its owner's own (the user id too), or staff's through the queue.
    "RefundRequest": frozenset(
        {
            "accessRevoked",
            "createdAt",
            "decidedAt",
            "failure",
            "id",
            "note",
            "paymentAmount",
            "paymentId",
            "reason",
            "refundId",
            "status",
            "userId",
        }
    ),
    # Razorpay's refusal of an approved request: shown where the request is, like its note.
    "RefundRequestFailure": frozenset({"code", "message"}),
    "RefundRequestConnection": frozenset({"edges", "pageInfo"}),
    "RefundRequestEdge": frozenset({"cursor", "node"}),
    "RevokeIncomplete": frozenset({"message", "refund", "retryable", "unfinished"}),
    "Subscription": frozenset(
        {
            "accessReason",
            "accessUntil",
            "cancelAtPeriodEnd",
            "currentPeriod",
            "id",
            "nextChargeAt",
            "period",
            "plan",
            "status",
        }
    ),
    "Viewer": frozenset({"email", "id", "permissions", "staffRoles"}),
}


async def test_every_unguarded_type_field_was_reviewed() -> None:
    fields = guards_of(build_schema())

    unguarded = {
        name
        for name, permission in fields.items()
        if not name.startswith(("Query.", "Mutation.")) and permission is None
    }
    reviewed = {f"{kind}.{field}" for kind, names in OPEN_TYPE_FIELDS.items() for field in names}

    assert unguarded - reviewed == set(), "new type fields: guard them or add them to the list"
    assert reviewed - unguarded == set(), "listed fields that are gone or now guarded"


async def test_the_schema_check_sees_a_field_without_a_guard() -> None:
    @strawberry.type
    class Query:
        guarded: int = strawberry.field(resolver=lambda: 1, extensions=[guard("plan", "read")])
        forgotten: int = strawberry.field(resolver=lambda: 2)

    assert guards_of(strawberry.Schema(query=Query)) == {
        "Query.guarded": "plan:read",
        "Query.forgotten": None,
    }


def internal() -> str | None:
    return "internal"


def pro() -> str | None:
    return "pro"


@strawberry.type
class Item:
    internals: str | None = strawberry.field(
        resolver=internal, extensions=[guard("payment", "audit")]
    )
    more_internals: str | None = strawberry.field(
        resolver=internal, extensions=[guard("payment", "audit")]
    )
    # A sync field, yet its decision hangs on the Pro grant.
    pro_only: str | None = strawberry.field(
        resolver=pro, extensions=[guard("feature", "github_import")]
    )


async def items(count: int) -> list[Item]:
    return [Item() for _ in range(count)]


@strawberry.type
class ItemQuery:
    items: list[Item] = strawberry.field(resolver=items, extensions=[guard("payment", "read_any")])


async def run(query: str, caller: Caller) -> Any:
    schema = strawberry.Schema(query=ItemQuery)
    return await schema.execute(query, context_value=SimpleNamespace(caller=caller))


def caller_for(
    authorizer: Any, *, staff: frozenset[str] = frozenset(), pro: bool = False
) -> Caller:
    async def current_plan() -> str:
        return "pro" if pro else "free"

    return Caller(authorizer, Principal(subject="someone", staff_roles=staff), current_plan)


async def test_a_query_full_of_guarded_fields_pays_one_enforce_per_distinct_decision() -> None:
    # given a fresh authorizer and a support caller
    authorizer = authorizer_of(POLICIES)
    support = caller_for(authorizer, staff=frozenset({"support"}))

    # when they read 50 items with two guarded fields each
    result = await run("{ items(count: 50) { internals moreInternals } }", support)

    # then every field resolved, and Casbin was asked four times: (free, then support) for
    # payment:read_any and for payment:audit
    assert result.errors is None
    assert len(result.data["items"]) == 50
    assert authorizer.enforcements == 4


async def test_a_sync_field_that_needs_the_pro_grant_waits_for_it() -> None:
    authorizer = authorizer_of(POLICIES)
    pro_staff = caller_for(authorizer, staff=frozenset({"support"}), pro=True)
    free_staff = caller_for(authorizer, staff=frozenset({"support"}))

    allowed = await run("{ items(count: 2) { proOnly } }", pro_staff)
    denied = await run("{ items(count: 1) { proOnly } }", free_staff)

    assert allowed.errors is None
    assert allowed.data == {"items": [{"proOnly": "pro"}, {"proOnly": "pro"}]}
    assert denied.errors is not None
    assert [e.extensions for e in denied.errors] == [
        {
            "code": "UPGRADE_REQUIRED",
            "feature": "github_import",
            "plan": "pro",
            "permission": "feature:github_import",
        }
    ]


async def test_a_denied_type_field_is_an_error_at_that_field_and_the_rest_resolves() -> None:
    support = caller_for(authorizer_of(POLICIES), staff=frozenset({"support"}))

    result = await run("{ items(count: 2) { internals proOnly } }", support)

    assert result.data == {"items": [{"internals": "internal", "proOnly": None}] * 2}
    assert result.errors is not None
    assert [(e.path, e.extensions["code"]) for e in result.errors if e.extensions] == [
        (["items", 0, "proOnly"], "UPGRADE_REQUIRED"),
        (["items", 1, "proOnly"], "UPGRADE_REQUIRED"),
    ]


async def test_a_decision_is_not_enforced_again_on_later_requests(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a user with a payment, and staff who looked at it once
    await become_pro(client, sandbox)
    owner = await user_id(client)
    await call(client, STAFF_PAYMENTS, user="staff-1", roles=["support"], userId=owner)
    enforced = services.authorizer.enforcements

    # when staff look again, at every guarded field of it
    data = await call(client, STAFF_PAYMENTS, user="staff-2", roles=["support"], userId=owner)

    # then the process remembered every decision
    assert data["payments"]["edges"][0]["node"]["amountFlagged"] is False
    assert services.authorizer.enforcements == enforced


async def test_the_printed_schema_shows_each_fields_permission() -> None:
    printed = str(build_schema())

    assert '@can(permission: "payment:refund")' in printed
    assert '@can(permission: "payment:audit")' in printed  # a type field
