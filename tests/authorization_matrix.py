"""The authorization matrix: every guarded field x every kind of caller -> what happens.

An expectation is an error code (`UNAUTHENTICATED`, `FORBIDDEN`, `UPGRADE_REQUIRED`), or what an
allowed call returned: `ok`, `null`, `edges:N`, `items:N`, or a result's `__typename` (with the
Failure's code). Callers act on their own things; `other` and staff act on the owner's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ANON, FREE, PRO, OTHER, SUPPORT, ADMIN = "anonymous", "free", "pro", "other", "support", "admin"
CALLERS = (ANON, FREE, OTHER, SUPPORT, ADMIN, PRO)  # the owner (pro) last: they cancel
STAFF = (SUPPORT, ADMIN)
UNAUTH, FORBID, UPGRADE = "UNAUTHENTICATED", "FORBIDDEN", "UPGRADE_REQUIRED"


@dataclass(frozen=True)
class World:
    """What exists before a row: the owner paid for Pro, was refunded a part of it and asked for
    more (an open refund request); everyone else is a known user."""

    ids: dict[str, str]  # caller -> user id
    payment_id: str  # the owner's
    refund_request_id: str  # the owner's, open
    handler: dict[str, str]  # what Checkout's handler received when the owner paid
    tomorrow: str  # a day after the world was built, by the service's clock (ISO 8601)


Variables = Callable[[World, str], dict[str, Any]]


def nothing(world: World, caller: str) -> dict[str, Any]:
    return {}


def target_user(world: World, caller: str) -> dict[str, Any]:
    """Their own id; anonymous, `other` and staff name the owner's."""
    return {"u": world.ids[caller if caller in (FREE, PRO) else PRO]}


def handler_of(world: World, caller: str) -> dict[str, Any]:
    """The owner replays their own paid handler; `other` and staff replay the owner's; `free`
    sends one of their own making."""
    if caller == FREE:
        return {"p": "pay_FreeUsersOwn001", "s": "sub_FreeUsersOwn001", "sig": "0" * 64}
    h = world.handler
    return {
        "p": h["razorpay_payment_id"],
        "s": h["razorpay_subscription_id"],
        "sig": h["razorpay_signature"],
    }


def owners_payment(world: World, caller: str) -> dict[str, Any]:
    return {"id": world.payment_id, "k": f"matrix-refund-{caller}"}


def owners_request(world: World, caller: str) -> dict[str, Any]:
    return {"id": world.refund_request_id}


def payment_asked(world: World, caller: str) -> dict[str, Any]:
    return {"id": world.payment_id}


def unique_key(world: World, caller: str) -> dict[str, Any]:
    return {"k": f"matrix-upgrade-{caller}"}


def usage_key(world: World, caller: str) -> dict[str, Any]:
    return {"k": f"matrix-usage-{caller}"}


def grant_to_owner(world: World, caller: str) -> dict[str, Any]:
    """Pro for the owner (who pays for it: the paid plan stays in charge) until tomorrow."""
    return {"u": world.ids[PRO], "until": world.tomorrow}


def no_such_grant(world: World, caller: str) -> dict[str, Any]:
    return {"id": f"{world.ids[PRO]}:1"}


def repository(world: World, caller: str) -> dict[str, Any]:
    return {"url": "https://github.com/octocat/Hello-World"}


@dataclass(frozen=True)
class Row:
    field: str  # Type.field, as guards_of names it
    operation: str
    expect: dict[str, str]
    variables: Variables = nothing
    staff_operation: str | None = None  # staff reach a user's payments another way
    anonymous_stopped_at: str | None = None  # a root field that refuses anonymous first

    def operation_for(self, caller: str) -> str:
        return self.staff_operation if caller in STAFF and self.staff_operation else self.operation

    def denied_at(self, caller: str) -> str:
        """The field whose guard says no."""
        if caller == ANON and self.anonymous_stopped_at:
            return self.anonymous_stopped_at
        return self.field.split(".")[1]


def everyone(outcome: str, **overrides: str) -> dict[str, str]:
    return {caller: overrides.get(caller, outcome) for caller in CALLERS}


def signed_in(outcome: str, **overrides: str) -> dict[str, str]:
    return {**everyone(outcome, **overrides), ANON: UNAUTH}


OWN_PAYMENTS = "{ paymentHistory { edges { node { id %s } } } }"
USERS_PAYMENTS = "query($u: ID!) { payments(userId: $u) { edges { node { id %s } } } }"
UNION = "__typename ... on Failure { code }"

ROWS: tuple[Row, ...] = (
    Row("Query.viewer", "{ viewer { id permissions } }", everyone("ok", anonymous="null")),
    Row("Query.plans", "{ plans { id features { code plan } } }", everyone("items:2")),
    Row("Query.checkoutConfig", "{ checkoutConfig { scriptUrl } }", everyone("ok")),
    Row(
        "Query.subscription",
        "{ subscription { __typename status } }",
        signed_in("null", pro="Subscription"),
    ),
    Row(
        "Query.pendingPlanChange",
        "{ pendingPlanChange { __typename state } }",
        signed_in("null"),
    ),
    Row(
        "Query.paymentHistory",
        "{ paymentHistory { edges { node { id } } } }",
        signed_in("edges:0", pro="edges:1"),
    ),
    Row(
        "Query.payments",
        "query($u: ID!) { payments(userId: $u) { edges { node { id } } } }",
        signed_in(FORBID, support="edges:1", admin="edges:1"),
        target_user,
    ),
    Row("Query.entitlements", "{ entitlements { plan { code } } }", signed_in("ok")),
    Row(
        "Query.canUse",
        '{ canUse(feature: "github_import") { ... on FeatureAccess { allowed } } }',
        signed_in("ok"),
    ),
    Row("Query.githubImports", "{ githubImports { id } }", signed_in(UPGRADE, pro="items:0")),
    Row(
        "Query.accessChanges",
        "query($u: ID!) { accessChanges(userId: $u) { reason } }",
        signed_in(FORBID, admin="items:1"),
        target_user,
    ),
    Row(
        "Mutation.upgrade",
        f"mutation($k: String!) {{ upgrade(idempotencyKey: $k) {{ {UNION} }} }}",
        signed_in("CheckoutDetails", pro="Failure:ALREADY_SUBSCRIBED"),
        unique_key,
    ),
    Row(
        "Mutation.confirmCheckout",
        "mutation($p: String!, $s: String!, $sig: String!) { confirmCheckout("
        "razorpayPaymentId: $p, razorpaySubscriptionId: $s, razorpaySignature: $sig) "
        f"{{ {UNION} }} }}",
        signed_in("Failure:NOT_FOUND", free="Failure:INVALID_SIGNATURE", pro="Subscription"),
        handler_of,
    ),
    Row(
        "Mutation.changePlan",
        f'mutation($k: String!) {{ changePlan(plan: "pro", idempotencyKey: $k) {{ {UNION} }} }}',
        signed_in("PlanChange", pro="Failure:SAME_PLAN"),
        unique_key,
    ),
    Row(
        "Mutation.cancelScheduledChange",
        f"mutation {{ cancelScheduledChange {{ {UNION} }} }}",
        signed_in("Failure:NOT_FOUND"),
    ),
    Row(
        "Mutation.cancelSubscription",
        f"mutation {{ cancelSubscription(atPeriodEnd: true) {{ {UNION} }} }}",
        signed_in("Failure:NO_ACTIVE_SUBSCRIPTION", pro="Subscription"),
    ),
    Row(
        "Mutation.refundPayment",
        "mutation($id: String!, $k: String!) { refundPayment(paymentId: $id, amount: 1000, "
        f"access: KEEP, idempotencyKey: $k) {{ {UNION} }} }}",
        signed_in(FORBID, support="Refund", admin="Refund"),
        owners_payment,
    ),
    Row(
        "Query.refundRequests",
        "{ refundRequests { edges { node { id } } } }",
        signed_in(FORBID, support="edges:1", admin="edges:1"),
    ),
    Row(
        "Mutation.requestRefund",
        f'mutation($id: String!) {{ requestRefund(paymentId: $id, reason: "r") {{ {UNION} }} }}',
        signed_in("Failure:NOT_FOUND", pro="Failure:REFUND_REQUEST_OPEN"),
        payment_asked,
    ),
    Row(
        "Mutation.decideRefundRequest",
        "mutation($id: ID!) { decideRefundRequest(id: $id, approve: true, amount: 1000, "
        f"access: KEEP) {{ {UNION} }} }}",
        signed_in(FORBID, support="RefundRequest", admin="RefundRequest"),
        owners_request,
    ),
    Row(
        "Mutation.startGithubImport",
        "mutation($url: String!) { startGithubImport(repositoryUrl: $url) { __typename } }",
        signed_in(UPGRADE, pro="GithubImport"),
        repository,
    ),
    Row(
        "Mutation.recordFunnelEvent",
        'mutation { recordFunnelEvent(event: PLAN_SELECTED, plan: "pro") }',
        everyone("ok"),
    ),
    Row(
        "Mutation.recordUsage",
        'mutation($k: String!) { recordUsage(feature: "chats", quantity: 1, idempotencyKey: $k)'
        f" {{ {UNION} }} }}",
        signed_in("LimitUsage"),
        usage_key,
    ),
    Row(
        "Mutation.releaseUsage",
        'mutation($k: String!) { releaseUsage(feature: "chats", quantity: 1, idempotencyKey: $k)'
        f" {{ {UNION} }} }}",
        signed_in("Failure:NOT_RELEASABLE"),
        usage_key,
    ),
    Row("Query.creditPacks", "{ creditPacks { code price { formatted } } }", everyone("items:3")),
    Row("Query.credits", "{ credits { balance expiringSoon } }", signed_in("ok")),
    Row(
        "Query.userCredits",
        "query($u: ID!) { userCredits(userId: $u) { balance history { kind } } }",
        signed_in(FORBID, support="ok", admin="ok"),
        target_user,
    ),
    Row(
        "Mutation.adjustCredits",
        "mutation($u: ID!, $k: String!) { adjustCredits(userId: $u, amount: 5, "
        f'reason: "goodwill", idempotencyKey: $k) {{ {UNION} }} }}',
        signed_in(FORBID, support="CreditBalance", admin="CreditBalance"),
        lambda world, caller: {**target_user(world, caller), **unique_key(world, caller)},
    ),
    Row(
        "Mutation.buyCredits",
        'mutation($k: String!) { buyCredits(pack: "credits_10", idempotencyKey: $k) '
        f"{{ {UNION} }} }}",
        signed_in("CreditCheckout"),
        unique_key,
    ),
    Row(
        "Mutation.confirmCreditPurchase",
        'mutation { confirmCreditPurchase(razorpayOrderId: "order_NotAnyones01", '
        'razorpayPaymentId: "pay_NotAnyones001", razorpaySignature: "00") '
        f"{{ {UNION} }} }}",
        signed_in("Failure:NOT_FOUND"),
    ),
    Row(
        "Mutation.spendCredits",
        f"mutation($k: String!) {{ spendCredits(amount: 5, idempotencyKey: $k) {{ {UNION} }} }}",
        signed_in("Failure:INSUFFICIENT_CREDITS"),
        unique_key,
    ),
    Row(
        "Query.accessGrants",
        "query($u: ID!) { accessGrants(userId: $u) { id } }",
        signed_in(FORBID, admin="items:0"),
        target_user,
    ),
    Row(
        "Mutation.grantAccess",
        'mutation($u: ID!, $until: DateTime!) { grantAccess(userId: $u, plan: "pro", '
        f'until: $until, reason: "matrix") {{ {UNION} }} }}',
        signed_in(FORBID, admin="AccessGrant"),
        grant_to_owner,
    ),
    Row(
        "Mutation.revokeGrant",
        f"mutation($id: ID!) {{ revokeGrant(id: $id) {{ {UNION} }} }}",
        signed_in(FORBID, admin="Failure:NOT_FOUND"),
        no_such_grant,
    ),
    # Type fields: the owner reaches their payment through paymentHistory, staff through
    # payments(userId). Free users and `other` have no payment, so theirs guard nothing.
    Row(
        "Payment.amountFlagged",
        OWN_PAYMENTS % "amountFlagged",
        signed_in("edges:0", pro=FORBID, support="edges:1", admin="edges:1"),
        target_user,
        staff_operation=USERS_PAYMENTS % "amountFlagged",
        anonymous_stopped_at="paymentHistory",
    ),
    Row(
        "Refund.requestedBy",
        OWN_PAYMENTS % "refunds { id requestedBy }",
        signed_in("edges:0", pro=FORBID, support="edges:1", admin="edges:1"),
        target_user,
        staff_operation=USERS_PAYMENTS % "refunds { id requestedBy }",
        anonymous_stopped_at="paymentHistory",
    ),
    Row(
        "RefundRequest.decidedBy",
        OWN_PAYMENTS % "refundRequests { id decidedBy }",
        signed_in("edges:0", pro=FORBID, support="edges:1", admin="edges:1"),
        target_user,
        staff_operation=USERS_PAYMENTS % "refundRequests { id decidedBy }",
        anonymous_stopped_at="paymentHistory",
    ),
)


def summary(value: Any) -> str:
    """What an allowed call returned, in the matrix's words."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return f"items:{len(value)}"
    if isinstance(value, dict) and "edges" in value:
        return f"edges:{len(value['edges'])}"
    if isinstance(value, dict) and "__typename" in value:
        code = value.get("code")
        return f"{value['__typename']}:{code}" if code else str(value["__typename"])
    return "ok"
