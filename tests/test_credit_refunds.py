"""Credit packs refunded by every path: a refund request staff approve, Razorpay's Dashboard,
and webhooks that come before the order's id is recorded; over HTTP, with the sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.documents import WebhookEvent
from api.documents.credits import CreditPurchase
from api.documents.events import EventStatus
from api.services import Services
from tests.billing_calls import call
from tests.sandbox_driver import SandboxDriver
from tests.test_credits import HISTORY, SPEND, a_key, balance, bought, buy, staff_refund

pytestmark = pytest.mark.asyncio(loop_scope="session")

REQUEST = """mutation($id: String!) { requestRefund(paymentId: $id, reason: "not needed") {
  __typename ... on RefundRequest { id } ... on Failure { code } } }"""
DECIDE = """mutation($id: ID!, $allow: Boolean!) {
  decideRefundRequest(id: $id, approve: true, allowCreditShortfall: $allow) {
  __typename ... on RefundRequest { status refundId } ... on Failure { code message } } }"""


async def decide(client: httpx.AsyncClient, request_id: str, *, allow: bool) -> dict[str, Any]:
    data = await call(client, DECIDE, user="staff-1", roles=["support"], id=request_id, allow=allow)
    result: dict[str, Any] = data["decideRefundRequest"]
    return result


async def latest_entry(client: httpx.AsyncClient) -> tuple[str, int, int, int]:
    entry = (await call(client, HISTORY))["credits"]["history"][0]
    return entry["kind"], entry["amount"], entry["balanceAfter"], entry["shortfall"]


async def test_approving_a_refund_request_for_spent_credits_needs_the_shortfall_allowed(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given 10 credits bought, 8 spent, and the user asking for their money back
    payment_id = await bought(client, sandbox, "credits_10")
    await call(client, SPEND, n=8, key=a_key())
    request = (await call(client, REQUEST, id=payment_id))["requestRefund"]
    assert request["__typename"] == "RefundRequest"

    # when staff approve it
    refused = await decide(client, request["id"], allow=False)

    # then it is refused with the shortfall, nothing moved, and the request is still open
    assert refused["code"] == "CREDITS_ALREADY_SPENT" and "8 credits short" in refused["message"]
    assert await balance(client) == 2

    # when staff approve it allowing the shortfall
    approved = await decide(client, request["id"], allow=True)

    # then the money is refunded, the 2 left are taken and the 8 missing recorded
    assert approved["status"] == "APPROVED" and approved["refundId"]
    assert await latest_entry(client) == ("CLAWBACK", -2, 0, 8)


async def test_a_refund_made_in_razorpays_dashboard_takes_the_credits_back_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given the ₹199 pack of 50 credits bought, and every webhook delivered twice
    payment_id = await bought(client, sandbox, "credits_50")
    await sandbox.knobs(duplicate=True)

    # when half of it is refunded in Razorpay's Dashboard
    await sandbox.dashboard_refund(payment_id, amount=9950)
    await sandbox.drain()

    # then its refund webhooks took 25 credits back, once
    assert await balance(client) == 25
    history = (await call(client, HISTORY))["credits"]["history"]
    assert [(e["kind"], e["amount"]) for e in history] == [("CLAWBACK", -25), ("GRANT", 50)]

    # and staff refunding the rest here (its webhooks arriving too) take back exactly the rest
    assert (await staff_refund(client, payment_id, amount=None))["__typename"] == "Refund"
    await sandbox.drain()
    assert await balance(client) == 0
    assert len((await call(client, HISTORY))["credits"]["history"]) == 3


async def test_webhooks_before_the_orders_id_is_recorded_are_applied_by_the_sweep(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a purchase whose order Razorpay made, its id not written on the purchase yet
    order = await buy(client, pack="credits_50")
    purchase = await CreditPurchase.find_one(CreditPurchase.razorpay_order_id == order["orderId"])
    assert purchase is not None
    await purchase.set({"razorpay_order_id": None})

    # when the customer pays (browser closed) and the webhooks arrive
    await sandbox.pay_order(order["orderId"])
    await sandbox.drain()

    # then nothing is granted yet, and the events are kept failed to be applied again
    assert await balance(client) == 0
    paid = await WebhookEvent.find(WebhookEvent.event == "order.paid").to_list()
    assert [e.status for e in paid] == [EventStatus.FAILED]

    # when the order's id is written and the sweep comes round
    await purchase.set({"razorpay_order_id": order["orderId"]})
    await services.applier.sweep(failed_now=True)

    # then the pack is credited, once
    assert await balance(client) == 50
