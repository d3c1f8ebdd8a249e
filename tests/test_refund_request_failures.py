"""An approved refund request that Razorpay refuses: for good, it closes FAILED with the refusal
and frees its payment; while Razorpay is unavailable it stays open to the same decision."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.documents import Refund
from tests.billing_calls import call, payments_of
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import at_razorpay
from tests.test_refund_requests import ask, decide, paid_payment

pytestmark = pytest.mark.asyncio(loop_scope="session")

FAILED_QUEUE = """{ refundRequests(status: FAILED) {
  edges { node { id status failure { code message } } } } }"""

MY_REQUESTS = """{ paymentHistory { edges { node {
  refundRequests { id status failure { code message } } } } } }"""


async def failed_queue(client: httpx.AsyncClient) -> list[dict[str, object]]:
    data = await call(client, FAILED_QUEUE, user="staff-1", roles=["support"])
    return [edge["node"] for edge in data["refundRequests"]["edges"]]


async def owners_requests(client: httpx.AsyncClient) -> list[dict[str, object]]:
    data = await call(client, MY_REQUESTS)
    found: list[dict[str, object]] = data["paymentHistory"]["edges"][0]["node"]["refundRequests"]
    return found


async def asked_then_refunded_elsewhere(
    client: httpx.AsyncClient, sandbox: SandboxDriver, *, amount: int
) -> tuple[str, dict[str, Any]]:
    """A user's paid payment and their open request for it; then `amount` paise of it refunded
    in Razorpay's Dashboard, its webhooks held (the service still counts it refundable)."""
    payment_id = await paid_payment(client, sandbox)
    asked = await ask(client, payment_id=payment_id)
    await sandbox.hold()
    await sandbox.dashboard_refund(payment_id, amount=amount)
    return payment_id, asked


async def test_an_approval_refused_for_good_fails_the_request_and_frees_the_payment(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a request, and ₹60 of its ₹100 payment refunded in Razorpay's Dashboard meanwhile
    # (its webhooks held, so the service still counts ₹100 refundable)
    payment_id, asked = await asked_then_refunded_elsewhere(client, sandbox, amount=6000)

    # when support approves whatever remains (₹100 as the service saw it)
    refused = await decide(client, request_id=asked["id"])

    # then the answer is Razorpay's refusal, and the request is FAILED saying why
    assert (refused["__typename"], refused["code"]) == ("Failure", "REFUND_EXCEEDS_CAPTURED")
    failure = {
        "code": "REFUND_EXCEEDS_CAPTURED",
        "message": "The refund is larger than what remains of the captured amount.",
    }
    assert await failed_queue(client) == [
        {"id": asked["id"], "status": "FAILED", "failure": failure}
    ]
    assert await owners_requests(client) == [
        {"id": asked["id"], "status": "FAILED", "failure": failure}
    ]

    # when another staff member rejects it, and the first sends the same approval again
    other = await decide(client, request_id=asked["id"], approve=False, note="no", staff="staff-2")
    again = await decide(client, request_id=asked["id"])

    # then it was decided, the refusal is answered again, and nothing was refunded for it
    assert other["code"] == "REFUND_REQUEST_DECIDED"
    assert again["code"] == "REFUND_EXCEEDS_CAPTURED"
    at_gateway = await at_razorpay(sandbox, f"payments/{payment_id}/refunds")
    assert [r["amount"] for r in at_gateway["items"]] == [6000]

    # when the Dashboard refund reaches the service and the user asks again for the rest
    await sandbox.release()
    second = await ask(client, payment_id=payment_id, reason="the rest, please")

    # then a new request is open, and approving it refunds the ₹40 left
    assert second["status"] == "OPEN"
    approved = await decide(client, request_id=second["id"])
    await sandbox.drain()
    assert approved["status"] == "APPROVED"
    assert (await payments_of(client))[0]["refunded"]["amount"] == 10000


async def test_a_payment_refunded_in_full_meanwhile_fails_the_request_and_allows_no_other(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a request whose payment was then refunded in full in Razorpay's Dashboard
    payment_id, asked = await asked_then_refunded_elsewhere(client, sandbox, amount=10000)

    # when support approves it
    refused = await decide(client, request_id=asked["id"])

    # then Razorpay's refusal is answered, never retryable, and the request is FAILED with it
    assert (refused["code"], "fully refunded already" in refused["message"]) == (
        "REFUND_EXCEEDS_CAPTURED",
        True,
    )
    [mine] = await owners_requests(client)
    assert (mine["status"], mine["failure"]) == (
        "FAILED",
        {
            "code": "REFUND_EXCEEDS_CAPTURED",
            "message": "Razorpay says the payment has been fully refunded already (in its"
            " Dashboard, perhaps): nothing is left to refund.",
        },
    )

    # when the refund reaches the service and the user asks again
    await sandbox.release()
    again = await ask(client, payment_id=payment_id)

    # then nothing is left to ask for
    assert again["code"] == "NOTHING_TO_REFUND"
    assert [r["status"] for r in await owners_requests(client)] == ["FAILED"]


async def test_an_approval_razorpay_could_not_take_stays_open_and_the_same_decision_finishes_it(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a request, and Razorpay failing every refund call for now
    payment_id = await paid_payment(client, sandbox)
    asked = await ask(client, payment_id=payment_id)
    await sandbox.fail_next("POST", f"/v1/payments/{payment_id}/refund", count=100)

    # when support approves ₹25
    down = await decide(client, request_id=asked["id"], amount=2500)

    # then it is a retryable failure, the request stays open and the user cannot ask twice
    assert down["code"] == "GATEWAY_UNAVAILABLE"
    assert await owners_requests(client) == [{"id": asked["id"], "status": "OPEN", "failure": None}]
    assert (await ask(client, payment_id=payment_id))["code"] == "REFUND_REQUEST_OPEN"
    assert await failed_queue(client) == []

    # when Razorpay is back and support sends the same decision
    await sandbox.clear_faults()
    done = await decide(client, request_id=asked["id"], amount=2500)
    await sandbox.drain()

    # then it is refunded, once
    assert done["status"] == "APPROVED"
    assert await Refund.count() == 1
    assert (await payments_of(client))[0]["refunded"]["amount"] == 2500
