"""Refund requests: the owner asks, staff approve (refunding through refundPayment's path) or
reject, once; over HTTP, with the sandbox behind the real SDK."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.documents import Refund
from tests.billing_calls import become_pro, call, payments_of, plan_of, start_upgrade
from tests.builders import graphql, token
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import at_razorpay

pytestmark = pytest.mark.asyncio(loop_scope="session")

REQUEST = """mutation($id: String!, $reason: String!) {
  requestRefund(paymentId: $id, reason: $reason) {
  __typename
  ... on RefundRequest { id status paymentId reason paymentAmount { amount } }
  ... on Failure { code message } } }"""

DECIDE = """mutation($id: ID!, $approve: Boolean!, $amount: Int, $access: RefundAccess!,
  $note: String) {
  decideRefundRequest(id: $id, approve: $approve, amount: $amount, access: $access,
                      note: $note) {
  __typename
  ... on RefundRequest { id status refundId note accessRevoked decidedBy }
  ... on RevokeIncomplete { unfinished }
  ... on Failure { code message } } }"""

QUEUE = """query($status: RefundRequestStatus, $after: String) {
  refundRequests(status: $status, first: 1, after: $after) {
  edges { cursor node { id status paymentId userId reason } }
  pageInfo { hasNextPage endCursor } } }"""

MY_REQUESTS = """{ paymentHistory { edges { node { id status
  refundRequests { id status note refundId } } } } }"""


async def ask(
    client: httpx.AsyncClient, *, payment_id: str, user: str = "user-1", reason: str = "unused"
) -> dict[str, Any]:
    data = await call(client, REQUEST, user=user, id=payment_id, reason=reason)
    result: dict[str, Any] = data["requestRefund"]
    return result


async def decide(
    client: httpx.AsyncClient,
    *,
    request_id: str,
    approve: bool = True,
    amount: int | None = None,
    access: str = "KEEP",
    note: str | None = None,
    staff: str = "staff-1",
) -> dict[str, Any]:
    data = await call(
        client,
        DECIDE,
        user=staff,
        roles=["support"],
        id=request_id,
        approve=approve,
        amount=amount,
        access=access,
        note=note,
    )
    result: dict[str, Any] = data["decideRefundRequest"]
    return result


async def staff_queue(
    client: httpx.AsyncClient, *, status: str | None, after: str | None = None
) -> dict[str, Any]:
    data = await call(client, QUEUE, user="staff-1", roles=["support"], status=status, after=after)
    page: dict[str, Any] = data["refundRequests"]
    return page


async def owners_requests(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    data = await call(client, MY_REQUESTS)
    edges = data["paymentHistory"]["edges"]
    found: list[dict[str, Any]] = edges[0]["node"]["refundRequests"]
    return found


async def paid_payment(client: httpx.AsyncClient, sandbox: SandboxDriver) -> str:
    await become_pro(client, sandbox)
    payment_id: str = (await payments_of(client))[0]["id"]
    return payment_id


async def test_an_approved_full_refund_that_revokes_access_refunds_and_ends_pro(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a Pro user who asked for a refund
    payment_id = await paid_payment(client, sandbox)
    asked = await ask(client, payment_id=payment_id, reason="I did not mean to subscribe")
    assert (asked["__typename"], asked["status"]) == ("RefundRequest", "OPEN")

    # when support approves it in full, revoking access
    decided = await decide(client, request_id=asked["id"], access="REVOKE_NOW")
    await sandbox.drain()

    # then the payment is refunded, the user is free, and the request names the refund
    assert (decided["status"], decided["accessRevoked"]) == ("APPROVED", True)
    assert decided["decidedBy"] == "staff-1"
    payment = (await payments_of(client))[0]
    assert (payment["status"], payment["refunded"]["amount"]) == ("refunded", 10000)
    assert [r["id"] for r in payment["refunds"]] == [decided["refundId"]]
    assert payment["refunds"][0]["reason"] == "I did not mean to subscribe"
    assert await plan_of(client) == "free"
    assert await owners_requests(client) == [
        {"id": asked["id"], "status": "APPROVED", "note": None, "refundId": decided["refundId"]}
    ]


async def test_an_approved_partial_refund_that_keeps_access_leaves_pro(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a request for a Pro user's payment
    payment_id = await paid_payment(client, sandbox)
    asked = await ask(client, payment_id=payment_id)

    # when support approves ₹30 of it, keeping access
    decided = await decide(client, request_id=asked["id"], amount=3000, note="goodwill")
    await sandbox.drain()

    # then ₹30 is refunded at Razorpay and here, and the user keeps Pro
    assert (decided["status"], decided["accessRevoked"], decided["note"]) == (
        "APPROVED",
        False,
        "goodwill",
    )
    at_gateway = await at_razorpay(sandbox, f"payments/{payment_id}/refunds")
    assert [(r["id"], r["amount"]) for r in at_gateway["items"]] == [(decided["refundId"], 3000)]
    payment = (await payments_of(client))[0]
    assert (payment["status"], payment["refunded"]["amount"]) == ("partially_refunded", 3000)
    assert await plan_of(client) == "pro"


async def test_a_rejected_request_keeps_the_note_and_the_user_may_ask_again(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a request that support rejected with a note
    payment_id = await paid_payment(client, sandbox)
    first = await ask(client, payment_id=payment_id)
    rejected = await decide(client, request_id=first["id"], approve=False, note="Used all month")

    # when the user asks again
    second = await ask(client, payment_id=payment_id, reason="Please reconsider")

    # then nothing was refunded, the user sees the note, and the new request is open
    assert (rejected["status"], rejected["refundId"]) == ("REJECTED", None)
    assert second["status"] == "OPEN"
    assert await Refund.count() == 0
    assert [(r["status"], r["note"]) for r in await owners_requests(client)] == [
        ("OPEN", None),
        ("REJECTED", "Used all month"),
    ]


async def test_a_second_request_while_one_is_open_is_refused(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    payment_id = await paid_payment(client, sandbox)

    # when the user asks twice at once, then once more
    answers = await asyncio.gather(*(ask(client, payment_id=payment_id) for _ in range(4)))
    again = await ask(client, payment_id=payment_id)

    # then exactly one request is open and the others are told why
    kinds = sorted(a["__typename"] if "id" in a else a["code"] for a in [*answers, again])
    assert kinds == ["REFUND_REQUEST_OPEN"] * 4 + ["RefundRequest"]
    assert len(await owners_requests(client)) == 1


async def test_a_request_for_another_users_or_a_failed_payment_is_refused(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given one user's captured payment and another user's failed one
    payment_id = await paid_payment(client, sandbox)
    checkout = await start_upgrade(client, user="user-2")
    await sandbox.pay(checkout["subscriptionId"], fail="card_declined")
    await sandbox.drain()
    failed = (await payments_of(client, user="user-2"))[0]
    assert failed["status"] == "failed"

    # when user-2 asks for the other's payment, and for their own failed one
    others = await ask(client, payment_id=payment_id, user="user-2")
    own_failed = await ask(client, payment_id=failed["id"], user="user-2")

    # then the first is not found, the second is not paid, and nothing was stored
    assert (others["code"], own_failed["code"]) == ("NOT_FOUND", "NOT_PAID")
    assert await owners_requests(client) == []


async def test_two_staff_approving_at_once_refund_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given an open request
    payment_id = await paid_payment(client, sandbox)
    asked = await ask(client, payment_id=payment_id)

    # when two staff approve it at the same moment, and a third rejects it
    answers = await asyncio.gather(
        *(decide(client, request_id=asked["id"], staff=f"staff-{n}") for n in range(3))
    )
    rejected = await decide(client, request_id=asked["id"], approve=False, note="late")
    await sandbox.drain()

    # then one refund was made, everyone approving sees it, and the late rejection is refused
    assert {a["refundId"] for a in answers} == {answers[0]["refundId"]}
    assert len({a["decidedBy"] for a in answers}) == 1
    assert rejected["code"] == "REFUND_REQUEST_DECIDED"
    at_gateway = await at_razorpay(sandbox, f"payments/{payment_id}/refunds")
    assert [r["amount"] for r in at_gateway["items"]] == [10000]
    assert await Refund.count() == 1


async def test_a_refused_approval_changes_nothing_and_leaves_the_request_open(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    payment_id = await paid_payment(client, sandbox)
    asked = await ask(client, payment_id=payment_id)

    # when support approves more than was paid
    refused = await decide(client, request_id=asked["id"], amount=20000)

    # then it is refused, and another decision can still be made
    assert refused["code"] == "REFUND_EXCEEDS_CAPTURED"
    assert (await decide(client, request_id=asked["id"], amount=1000))["status"] == "APPROVED"


async def test_the_staff_queue_pages_newest_first_and_filters_by_status(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given two users' requests, the older one rejected
    older = await ask(client, payment_id=await paid_payment(client, sandbox))
    await decide(client, request_id=older["id"], approve=False, note="no")
    await become_pro(client, sandbox, user="user-2")
    newer_payment = (await payments_of(client, user="user-2"))[0]["id"]
    newer = await ask(client, payment_id=newer_payment, user="user-2")

    # when support reads the queue a page at a time, all statuses, then the open ones
    first = await staff_queue(client, status=None)
    second = await staff_queue(client, status=None, after=first["pageInfo"]["endCursor"])
    open_only = await staff_queue(client, status="OPEN")

    # then pages run newest first, and the filter keeps the open one
    assert [e["node"]["id"] for e in first["edges"] + second["edges"]] == [
        newer["id"],
        older["id"],
    ]
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)
    assert [(e["node"]["id"], e["node"]["status"]) for e in open_only["edges"]] == [
        (newer["id"], "OPEN")
    ]


async def test_the_11th_request_within_the_hour_is_limited_and_stores_nothing(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a user who asked 10 times within the hour (the default budget)
    payment_id = await paid_payment(client, sandbox)
    answers = [await ask(client, payment_id=payment_id) for _ in range(10)]
    first = answers[0]["id"]
    await decide(client, request_id=first, approve=False, note="no")

    # when they ask once more
    response = await graphql(
        client,
        REQUEST,
        variables={"id": payment_id, "reason": "again"},
        bearer=token(sub="user-1", email="user-1@example.com"),
    )

    # then it is limited, and their only request is the rejected one
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert [(r["id"], r["status"]) for r in await owners_requests(client)] == [(first, "REJECTED")]


async def test_two_staff_deciding_differently_at_once_make_one_decision(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given an open request
    payment_id = await paid_payment(client, sandbox)
    asked = await ask(client, payment_id=payment_id)

    # when three staff approve different amounts at the same moment
    answers = await asyncio.gather(
        *(
            decide(client, request_id=asked["id"], amount=1000 * n, staff=f"staff-{n}")
            for n in (1, 2, 3)
        )
    )
    await sandbox.drain()

    # then one decision was carried out, the others are told it was decided, one refund was made
    [approved] = [a for a in answers if "status" in a]
    assert sorted(a["code"] for a in answers if "code" in a) == ["REFUND_REQUEST_DECIDED"] * 2
    at_gateway = await at_razorpay(sandbox, f"payments/{payment_id}/refunds")
    assert [r["id"] for r in at_gateway["items"]] == [approved["refundId"]]
    assert (await payments_of(client))[0]["refunded"]["amount"] == int(
        approved["decidedBy"][-1]
    ) * 1000
