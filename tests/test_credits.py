"""Credit packs through Razorpay orders and the credits ledger, over HTTP with the sandbox."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId

from api.billing.credits import account
from api.services import Services
from api.settings import Settings
from tests.billing_calls import call, user_id
from tests.own_app import own_app
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
    # given the ₹199 pack's order, its webhooks held, each to be delivered twice
    await sandbox.knobs(hold=True, duplicate=True)
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
    released = await sandbox.release("order.paid", "payment.captured", "payment.authorized")
    assert released.count("order.paid") == 2
    assert await balance(client) == 50


async def test_browser_closed_the_webhook_alone_credits(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a first attempt that failed and a retry that paid, with no confirmation at all
    order = await buy(client, pack="credits_10")
    await sandbox.pay_order(order["orderId"], fail="insufficient_fund")
    retried = await buy(client, pack="credits_10")
    assert retried["orderId"] == order["orderId"]  # the same unpaid order, a new attempt
    handler = await sandbox.pay_order(order["orderId"])
    await sandbox.drain()
    # then the webhooks credited the pack
    assert await balance(client) == 10
    # and a confirmation arriving after them (or a forged one for another order) adds nothing
    assert (await confirm(client, handler))["balance"] == 10
    other = await buy(client, pack="credits_100")
    forged = await confirm(client, {**handler, "razorpay_order_id": other["orderId"]})
    assert forged["code"] == "INVALID_SIGNATURE"
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


REFUND = """mutation($id: String!, $amount: Int, $key: String!, $allow: Boolean!) {
  refundPayment(paymentId: $id, amount: $amount, idempotencyKey: $key,
                allowCreditShortfall: $allow) {
  __typename ... on Refund { id amount { amount } } ... on Failure { code message } } }"""
HISTORY = """{ credits { balance history(first: 10) { kind amount balanceAfter pack reason
  shortfall cursor } } }"""
ADJUST = """mutation($u: ID!, $n: Int!, $key: String!) { adjustCredits(userId: $u, amount: $n,
  reason: "goodwill", idempotencyKey: $key) {
  __typename ... on CreditBalance { balance } ... on Failure { code message } } }"""


async def bought(client: httpx.AsyncClient, sandbox: SandboxDriver, pack: str) -> str:
    """A pack bought and confirmed; returns the payment id."""
    order = await buy(client, pack=pack)
    handler = await sandbox.pay_order(order["orderId"])
    assert (await confirm(client, handler))["status"] == "paid"
    return str(handler["razorpay_payment_id"])


async def staff_refund(
    client: httpx.AsyncClient,
    payment_id: str,
    *,
    amount: int | None,
    allow: bool = False,
    **kw: Any,
) -> dict[str, Any]:
    data = await call(
        client,
        REFUND,
        user="staff-1",
        roles=["support"],
        id=payment_id,
        amount=amount,
        allow=allow,
        **kw,
    )
    result: dict[str, Any] = data["refundPayment"]
    return result


async def test_a_partial_refund_claws_back_in_proportion_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given the ₹199 pack bought
    payment_id = await bought(client, sandbox, "credits_50")
    # when staff refund half of it, and send the same request again
    key = a_key()
    first = await staff_refund(client, payment_id, amount=9950, key=key)
    again = await staff_refund(client, payment_id, amount=9950, key=key)
    # then one refund, and 25 credits taken back once
    assert first["__typename"] == "Refund" and again["id"] == first["id"]
    assert await balance(client) == 25
    # and the rest refunded takes back exactly the rest
    assert (await staff_refund(client, payment_id, amount=None))["__typename"] == "Refund"
    assert await balance(client) == 0
    kinds = [(e["kind"], e["amount"]) for e in (await call(client, HISTORY))["credits"]["history"]]
    assert kinds == [("CLAWBACK", -25), ("CLAWBACK", -25), ("GRANT", 50)]


async def test_a_refund_after_spending_is_refused_unless_the_shortfall_is_allowed(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given 10 credits bought and 8 spent
    payment_id = await bought(client, sandbox, "credits_10")
    await call(client, SPEND, n=8)
    # when staff refund it all
    refused = await staff_refund(client, payment_id, amount=None)
    # then it is refused with the shortfall, and nothing moved
    assert refused["code"] == "CREDITS_ALREADY_SPENT" and "8 credits short" in refused["message"]
    assert await balance(client) == 2
    # when staff allow the shortfall
    allowed = await staff_refund(client, payment_id, amount=None, allow=True)
    # then the money is refunded, the 2 left are taken and the 8 missing recorded
    assert allowed["__typename"] == "Refund"
    latest = (await call(client, HISTORY))["credits"]["history"][0]
    assert (latest["kind"], latest["amount"], latest["balanceAfter"], latest["shortfall"]) == (
        "CLAWBACK",
        -2,
        0,
        8,
    )


async def test_credits_with_a_validity_expire_oldest_first_and_are_spent_soonest_first(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given 10 credits valid 30 days, and 5 valid 365 days (through the ledger, at the clock)
    owner = PydanticObjectId(await user_id(client))
    for payment, credits, days in (("pay_Lot30Days0001", 10, 30), ("pay_Lot365Days001", 5, 365)):
        await account.grant(
            owner,
            payment_id=payment,
            credits=credits,
            pack_code="p",
            validity_days=days,
            now=services.clock.now(),
        )
    # when 4 are spent, then the clock passes the 30 days
    assert (await call(client, SPEND, n=4))["spendCredits"]["balance"] == 11
    assert (await call(client, CREDITS))["credits"] == {"balance": 11, "expiringSoon": 0}
    await sandbox.advance(days=31)
    # then the spend came from the 30-day lot, whose remaining 6 expired
    history = (await call(client, HISTORY))["credits"]
    assert history["balance"] == 5
    assert [(e["kind"], e["amount"]) for e in history["history"]][:2] == [
        ("EXPIRY", -6),
        ("SPEND", -4),
    ]


async def test_staff_adjust_with_a_reason_once_per_key(client: httpx.AsyncClient) -> None:
    owner = await user_id(client)
    key = a_key()
    first = (await call(client, ADJUST, u=owner, n=7, key=key, user="staff-1", roles=["support"]))[
        "adjustCredits"
    ]
    again = (await call(client, ADJUST, u=owner, n=7, key=key, user="staff-1", roles=["support"]))[
        "adjustCredits"
    ]
    assert first == again == {"__typename": "CreditBalance", "balance": 7}
    too_much = (await call(client, ADJUST, u=owner, n=-8, user="staff-1", roles=["support"]))[
        "adjustCredits"
    ]
    assert too_much["code"] == "INSUFFICIENT_CREDITS"
    assert await balance(client) == 7


PURCHASES = """{ paymentHistory { edges { node { status amount { amount } orderId pack credits
  failureReason } } } }"""
STAFF_VIEW = """query($u: ID!) { payments(userId: $u) { edges { node { pack amountFlagged } } } }"""


async def test_purchases_and_failed_attempts_in_history_tampering_flagged_for_staff(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a failed attempt, then the order paid ₹1 instead of ₹199
    order = await buy(client)
    await sandbox.pay_order(order["orderId"], fail="card_declined")
    await sandbox.pay_order(order["orderId"], amount=100)
    await sandbox.drain()
    # then the user's history shows both attempts with their pack and credits
    nodes = [e["node"] for e in (await call(client, PURCHASES))["paymentHistory"]["edges"]]
    assert sorted((n["status"], n["amount"]["amount"], n["pack"], n["credits"]) for n in nodes) == [
        ("captured", 100, "credits_50", 50),
        ("failed", 19900, "credits_50", 50),
    ]
    assert {n["orderId"] for n in nodes} == {order["orderId"]}
    assert any(n["failureReason"] for n in nodes if n["status"] == "failed")
    # and staff see the tampered payment flagged, with nothing granted
    staff = await call(
        client, STAFF_VIEW, user="staff-1", roles=["support"], u=await user_id(client)
    )
    flags = sorted(str(e["node"]["amountFlagged"]) for e in staff["payments"]["edges"])
    assert flags == ["False", "True"]
    assert await balance(client) == 0


PACKS = "{ creditPacks { code credits validityDays price { amount currency formatted } } }"
WORKSPACE_TIERS = Path(__file__).parent.parent / "examples" / "catalogs" / "workspace-tiers"


async def test_the_workspace_tier_catalogs_five_packs_are_sold(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    async with own_app(settings, tmp_path / "var", policy_dir=WORKSPACE_TIERS) as tiers:
        # given the workspace tiers' catalog: five packs valid a year
        packs = (await call(tiers.client, PACKS))["creditPacks"]
        assert [(p["code"], p["credits"], p["price"]["amount"]) for p in packs] == [
            ("basic", 100, 100000),
            ("standard", 500, 450000),
            ("premium", 1000, 800000),
            ("enterprise", 3000, 2000000),
            ("ultimate", 5000, 3000000),
        ]
        assert {p["validityDays"] for p in packs} == {365}
        # when a user buys the Premium pack and the page confirms the payment
        order = await buy(tiers.client, pack="premium")
        assert (order["amount"], order["pack"]["credits"]) == (800000, 1000)
        confirmed = await confirm(tiers.client, await tiers.sandbox.pay_order(order["orderId"]))
        # then they hold its 1,000 credits, expiring in a year (not within the week)
        assert (confirmed["status"], confirmed["balance"]) == ("paid", 1000)
        held = (await call(tiers.client, CREDITS))["credits"]
        assert held == {"balance": 1000, "expiringSoon": 0}
