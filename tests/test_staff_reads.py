"""Staff reads: any user's payments (support, admin) and the audit log of access (admin)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.billing_calls import become_pro, call, staff_payments_of, user_id
from tests.builders import graphql, token
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

ACCESS_CHANGES = """query($u: ID!, $first: Int!) { accessChanges(userId: $u, first: $first) {
  subscriptionId before after reason source at } }"""
PAYMENTS = "query($u: ID!) { payments(userId: $u) { edges { node { id } } } }"


async def refused(
    client: httpx.AsyncClient, query: str, roles: list[str], **variables: Any
) -> list[tuple[str, str]]:
    bearer = token(sub="staff-1", roles=roles)
    body = (await graphql(client, query, variables=variables, bearer=bearer)).json()
    return [(e["extensions"]["code"], e["extensions"].get("argument")) for e in body["errors"]]


async def test_support_see_a_users_payments_with_who_refunded(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a user's payment, partly refunded by support
    await become_pro(client, sandbox)
    payment_id = (await staff_payments_of(client))[0]["id"]
    await call(
        client,
        "mutation($id: String!) { refundPayment(paymentId: $id, amount: 700, "
        'idempotencyKey: "staff-refund-0001") { __typename } }',
        user="support-7",
        roles=["support"],
        id=payment_id,
    )
    await sandbox.drain()

    # when support look the user up
    payments = await staff_payments_of(client)

    # then they see the payment, not flagged, and who refunded it
    assert [(p["id"], p["amountFlagged"]) for p in payments] == [(payment_id, False)]
    assert [(r["amount"]["amount"], r["requestedBy"]) for r in payments[0]["refunds"]] == [
        (700, "support-7")
    ]


async def test_admins_read_why_a_users_access_changed(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    subscription_id = await become_pro(client, sandbox)

    data = await call(
        client, ACCESS_CHANGES, user="admin-1", roles=["admin"], u=await user_id(client), first=5
    )

    changes = data["accessChanges"]
    assert [(c["subscriptionId"], c["before"]) for c in changes] == [(subscription_id, None)]
    assert changes[0]["after"] is not None


@pytest.mark.parametrize(
    ("query", "variables", "argument"),
    [
        (PAYMENTS, {"u": "not-a-user-id"}, "userId"),
        (PAYMENTS, {"u": "a" * 12}, "userId"),
        (ACCESS_CHANGES, {"u": "0" * 24, "first": 0}, "first"),
        (ACCESS_CHANGES, {"u": "0" * 24, "first": 101}, "first"),
    ],
    ids=["garbage-id", "twelve-characters", "first-zero", "first-too-many"],
)
async def test_bad_staff_arguments_are_bad_input(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], argument: str
) -> None:
    assert await refused(client, query, ["admin"], **variables) == [("BAD_USER_INPUT", argument)]


async def test_an_unknown_user_has_no_payments(client: httpx.AsyncClient) -> None:
    data = await call(client, PAYMENTS, user="staff-1", roles=["support"], u="0" * 24)

    assert data["payments"]["edges"] == []
