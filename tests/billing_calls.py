"""The GraphQL operations the SPA and staff tools send, as keyword builders."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.builders import graphql, token

UPGRADE = """mutation($key: String!) { upgrade(idempotencyKey: $key) {
  __typename
  ... on CheckoutDetails { keyId subscriptionId name description prefillEmail }
  ... on Failure { code message retryable } } }"""

CONFIRM = """mutation($p: String!, $s: String!, $sig: String!) {
  confirmCheckout(razorpayPaymentId: $p, razorpaySubscriptionId: $s, razorpaySignature: $sig) {
  __typename
  ... on Subscription { id status accessUntil cancelAtPeriodEnd }
  ... on Failure { code message } } }"""

CANCEL = """mutation($end: Boolean!) { cancelSubscription(atPeriodEnd: $end) {
  __typename
  ... on Subscription { id status accessUntil cancelAtPeriodEnd nextChargeAt }
  ... on Failure { code message } } }"""

REFUND = """mutation($id: String!, $amount: Int, $access: RefundAccess!, $key: String!) {
  refundPayment(paymentId: $id, amount: $amount, access: $access, reason: "asked",
                idempotencyKey: $key) {
  __typename
  ... on Refund { id amount { amount } status }
  ... on RevokeIncomplete { refund { id amount { amount } } unfinished message retryable }
  ... on Failure { code message retryable } } }"""

SUBSCRIPTION = """{ subscription { id status accessUntil accessReason cancelAtPeriodEnd nextChargeAt
  currentPeriod { start end } period plan { code name prices { price { formatted } } } } }"""

ENTITLEMENTS = """{ entitlements { plan { code } accessUntil reason
  features { feature allowed reason requiredPlan } } }"""

HISTORY = """query($first: Int!, $after: String) { paymentHistory(first: $first, after: $after) {
  edges { cursor node { id amount { amount currency } refunded { amount } status cardLast4
    subscriptionId refunds { id amount { amount } status reason } } }
  pageInfo { hasNextPage endCursor } } }"""

STAFF_PAYMENTS = """query($userId: ID!) { payments(userId: $userId, first: 100) {
  edges { node { id amount { amount } status amountFlagged
    refunds { id amount { amount } requestedBy } } } } }"""

VIEWER_ID = "{ viewer { id } }"


async def call(
    client: httpx.AsyncClient,
    query: str,
    *,
    user: str = "user-1",
    roles: list[str] | None = None,
    **variables: Any,
) -> dict[str, Any]:
    if "$key: String!" in query and "key" not in variables:
        # An operation that needs an idempotency key gets a fresh one unless the test names it.
        variables["key"] = f"key-{uuid.uuid4().hex}"
    response = await graphql(
        client,
        query,
        variables=variables,
        bearer=token(sub=user, email=f"{user}@example.com", roles=roles),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def start_upgrade(
    client: httpx.AsyncClient, *, user: str = "user-1", key: str | None = None
) -> dict[str, Any]:
    data = await call(client, UPGRADE, user=user, key=key or f"upgrade-{uuid.uuid4().hex}")
    result: dict[str, Any] = data["upgrade"]
    return result


async def confirm(
    client: httpx.AsyncClient, handler: dict[str, Any], *, user: str = "user-1"
) -> dict[str, Any]:
    data = await call(
        client,
        CONFIRM,
        user=user,
        p=handler["razorpay_payment_id"],
        s=handler["razorpay_subscription_id"],
        sig=handler["razorpay_signature"],
    )
    result: dict[str, Any] = data["confirmCheckout"]
    return result


async def refund(
    client: httpx.AsyncClient, *, access: str = "KEEP", key: str | None = None, **variables: Any
) -> dict[str, Any]:
    """refundPayment as support staff; a fresh idempotency key unless one is given."""
    if key is not None:
        variables["key"] = key
    data = await call(client, REFUND, user="staff-1", roles=["support"], access=access, **variables)
    result: dict[str, Any] = data["refundPayment"]
    return result


async def plan_of(client: httpx.AsyncClient, *, user: str = "user-1") -> str:
    data = await call(client, ENTITLEMENTS, user=user)
    plan: str = data["entitlements"]["plan"]["code"]
    return plan


async def payments_of(
    client: httpx.AsyncClient, *, user: str = "user-1", first: int = 100
) -> list[dict[str, Any]]:
    data = await call(client, HISTORY, user=user, first=first)
    return [edge["node"] for edge in data["paymentHistory"]["edges"]]


async def user_id(client: httpx.AsyncClient, *, user: str = "user-1") -> str:
    """The user's id as `viewer` gives it (the user is created if never seen)."""
    found: str = (await call(client, VIEWER_ID, user=user))["viewer"]["id"]
    return found


async def staff_payments_of(
    client: httpx.AsyncClient, *, user: str = "user-1", roles: tuple[str, ...] = ("support",)
) -> list[dict[str, Any]]:
    """A user's payments as staff see them, with the internals."""
    data = await call(
        client,
        STAFF_PAYMENTS,
        user="staff-1",
        roles=list(roles),
        userId=await user_id(client, user=user),
    )
    return [edge["node"] for edge in data["payments"]["edges"]]


async def become_pro(client: httpx.AsyncClient, sandbox: Any, *, user: str = "user-1") -> str:
    """A user who paid through Checkout; returns their Razorpay subscription id."""
    checkout = await start_upgrade(client, user=user)
    await confirm(client, await sandbox.pay(checkout["subscriptionId"]), user=user)
    await sandbox.drain()
    subscription_id: str = checkout["subscriptionId"]
    return subscription_id
