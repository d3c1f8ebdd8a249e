"""Credit packs through Razorpay orders and the credits ledger, over HTTP with the sandbox."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.billing_calls import call
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

BUY = """mutation($pack: String!, $key: String!) { buyCredits(pack: $pack, idempotencyKey: $key) {
  __typename ... on CreditCheckout { orderId amount currency keyId pack { credits } }
  ... on Failure { code message } } }"""
CONFIRM = """mutation($o: String!, $p: String!, $sig: String!) { confirmCreditPurchase(
  razorpayOrderId: $o, razorpayPaymentId: $p, razorpaySignature: $sig) {
  __typename ... on CreditPurchaseResult { status credits balance }
  ... on Failure { code message } } }"""
SPEND = """mutation($n: Int!, $key: String!) { spendCredits(amount: $n, idempotencyKey: $key) {
  __typename ... on CreditBalance { balance } ... on Failure { code message } } }"""
CREDITS = "{ credits { balance expiringSoon } }"


def a_key() -> str:
    return f"key-{uuid.uuid4().hex}"


async def buy(client: httpx.AsyncClient, *, pack: str = "credits_50", **kw: Any) -> dict[str, Any]:
    kw.setdefault("key", a_key())
    result: dict[str, Any] = (await call(client, BUY, pack=pack, **kw))["buyCredits"]
    return result


async def confirm(client: httpx.AsyncClient, handler: dict[str, Any]) -> dict[str, Any]:
    data = await call(
        client,
        CONFIRM,
        o=handler["razorpay_order_id"],
        p=handler["razorpay_payment_id"],
        sig=handler["razorpay_signature"],
    )
    result: dict[str, Any] = data["confirmCreditPurchase"]
    return result


async def balance(client: httpx.AsyncClient, *, user: str = "user-1") -> int:
    found: int = (await call(client, CREDITS, user=user))["credits"]["balance"]
    return found


async def test_buy_pay_confirm_then_webhooks_grant_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given the ₹199 pack's order, its webhooks held
    await sandbox.hold()
    order = await buy(client)
    assert (order["amount"], order["currency"], order["pack"]["credits"]) == (19900, "INR", 50)
    # when the customer pays and the page confirms, twice
    handler = await sandbox.pay_order(order["orderId"])
    first, again = await confirm(client, handler), await confirm(client, handler)
    # then 50 credits, once; and the webhooks, reordered and duplicated, add nothing
    assert (
        first
        == again
        == {"__typename": "CreditPurchaseResult", "status": "paid", "credits": 50, "balance": 50}
    )
    await sandbox.release("order.paid", "payment.captured", "payment.authorized")
    await sandbox.knobs(hold=False, duplicate=True)
    assert await balance(client) == 50


async def test_browser_closed_the_webhook_alone_credits(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a first attempt that failed and a retry that paid, with no confirmation at all
    order = await buy(client, pack="credits_10")
    await sandbox.pay_order(order["orderId"], fail="insufficient_fund")
    retried = await buy(client, pack="credits_10")
    assert retried["orderId"] == order["orderId"]  # the same unpaid order, a new attempt
    await sandbox.pay_order(order["orderId"])
    await sandbox.drain()
    # then the webhooks credited the pack
    assert await balance(client) == 10


async def test_an_order_paid_with_another_amount_grants_nothing(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given an order of ₹199 paid ₹1 through a tampered integration
    order = await buy(client)
    handler = await sandbox.pay_order(order["orderId"], amount=100)
    await sandbox.drain()
    confirmed = await confirm(client, handler)
    # then nothing is granted and the purchase is flagged
    assert (confirmed["status"], confirmed["balance"]) == ("flagged", 0)
    assert await balance(client) == 0


async def test_double_click_and_two_tabs_get_one_order(client: httpx.AsyncClient) -> None:
    # when five buys of one pack race, two of them retries under one key
    key = a_key()
    keys = [key, key, a_key(), a_key(), a_key()]
    orders = await asyncio.gather(*(buy(client, key=k) for k in keys))
    # then there is one order
    assert len({o["orderId"] for o in orders}) == 1


async def test_unknown_pack_and_bad_amounts(client: httpx.AsyncClient) -> None:
    assert (await buy(client, pack="credits_1000000"))["code"] == "UNKNOWN_PACK"
    spent = (await call(client, SPEND, n=0))["spendCredits"]
    assert spent["code"] == "INVALID_AMOUNT"


async def test_fifty_concurrent_spends_against_twenty(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given 20 credits (two packs of 10)
    for _ in range(2):
        order = await buy(client, pack="credits_10")
        await confirm(client, await sandbox.pay_order(order["orderId"]))
    assert await balance(client) == 20
    # when 50 spends of one credit race
    answers = await asyncio.gather(*(call(client, SPEND, n=1) for _ in range(50)))
    results = [a["spendCredits"] for a in answers]
    # then exactly 20 succeed, the balance is 0 and never went negative
    ok = [r["balance"] for r in results if r["__typename"] == "CreditBalance"]
    refused = [r for r in results if r["__typename"] == "Failure"]
    assert len(ok) == 20 and sorted(ok) == list(range(20))
    assert {r["code"] for r in refused} == {"INSUFFICIENT_CREDITS"}
    assert await balance(client) == 0


async def test_a_replayed_spend_counts_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    order = await buy(client, pack="credits_10")
    await confirm(client, await sandbox.pay_order(order["orderId"]))
    key = a_key()
    first = (await call(client, SPEND, n=3, key=key))["spendCredits"]
    again = (await call(client, SPEND, n=3, key=key))["spendCredits"]
    assert first == again == {"__typename": "CreditBalance", "balance": 7}
    assert (await call(client, SPEND, n=8))["spendCredits"]["code"] == "INSUFFICIENT_CREDITS"
