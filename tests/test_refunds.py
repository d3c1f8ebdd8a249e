from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.documents import Refund
from tests.billing_calls import REFUND, SUBSCRIPTION, become_pro, call, payments_of, plan_of
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def refund(
    client: httpx.AsyncClient, *, access: str = "KEEP", **variables: Any
) -> dict[str, Any]:
    """refundPayment as support staff."""
    data = await call(client, REFUND, user="staff-1", roles=["support"], access=access, **variables)
    result: dict[str, Any] = data["refundPayment"]
    return result


async def first_payment_id(client: httpx.AsyncClient) -> str:
    payment_id: str = (await payments_of(client))[0]["id"]
    return payment_id


async def test_a_full_refund_that_revokes_access_ends_pro_and_all_charges(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a Pro user's payment
    subscription_id = await become_pro(client, sandbox)

    # when staff refund it in full and revoke access
    made = await refund(client, id=await first_payment_id(client), access="REVOKE_NOW")
    await sandbox.drain()

    # then the user is free at once, Razorpay cancelled the subscription, and no later charge comes
    assert made["amount"]["amount"] == 10000
    assert await plan_of(client) == "FREE"
    assert (await sandbox.subscription(subscription_id))["status"] == "cancelled"
    await sandbox.advance(days=40)
    payments = await payments_of(client)
    assert [(p["status"], p["refunded"]["amount"]) for p in payments] == [("refunded", 10000)]
    assert (await call(client, SUBSCRIPTION))["subscription"]["status"] == "CANCELLED"


async def test_a_partial_refund_keeps_pro_and_shows_the_refunded_amount(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)

    await refund(client, id=await first_payment_id(client), amount=2500)
    await sandbox.drain()

    after = (await payments_of(client))[0]
    assert (after["status"], after["refunded"]["amount"]) == ("partially_refunded", 2500)
    assert [r["amount"]["amount"] for r in after["refunds"]] == [2500]
    assert await plan_of(client) == "PRO"


async def test_a_refund_beyond_what_remains_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)
    payment_id = await first_payment_id(client)
    await refund(client, id=payment_id, amount=8000)

    refused = await refund(client, id=payment_id, amount=3000)

    assert refused["code"] == "REFUND_EXCEEDS_CAPTURED"
    assert await Refund.count() == 1


async def test_a_retried_refund_with_the_same_key_refunds_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)
    payment_id = await first_payment_id(client)

    first = await refund(client, id=payment_id, amount=1000, key="refund-key-0001")
    again = await refund(client, id=payment_id, amount=1000, key="refund-key-0001")

    assert first["id"] == again["id"]
    assert (await payments_of(client))[0]["refunded"]["amount"] == 1000


async def test_refunding_an_unknown_payment_is_not_found(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    result = await refund(client, id="pay_doesnotexist01")

    assert result["code"] == "NOT_FOUND"
