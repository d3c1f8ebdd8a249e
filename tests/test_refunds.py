from __future__ import annotations

import asyncio

import httpx
import pytest

from api.documents import Refund
from api.services import Services
from tests.billing_calls import SUBSCRIPTION, become_pro, call, payments_of, plan_of, refund
from tests.builders import graphql, staff_refund_claim, token
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")


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
    assert await plan_of(client) == "free"
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
    assert await plan_of(client) == "pro"


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


async def test_a_double_submitted_partial_refund_refunds_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)
    payment_id = await first_payment_id(client)

    both = await asyncio.gather(
        *(refund(client, id=payment_id, amount=1500, key="refund-twice-0001") for _ in range(2))
    )

    assert both[0]["id"] == both[1]["id"]
    assert (await payments_of(client))[0]["refunded"]["amount"] == 1500


async def test_a_key_reused_for_another_amount_is_refused_and_refunds_nothing_more(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a partial refund made under a key
    await become_pro(client, sandbox)
    payment_id = await first_payment_id(client)
    await refund(client, id=payment_id, amount=1000, key="refund-key-0002")

    # when the key is sent again with another amount
    reused = await refund(client, id=payment_id, amount=2000, key="refund-key-0002")

    # then it is refused, and only the first refund exists
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert (await payments_of(client))[0]["refunded"]["amount"] == 1000


async def test_a_refund_without_an_idempotency_key_is_refused(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox)
    query = "mutation($id: String!) { refundPayment(paymentId: $id, amount: 700) { __typename } }"

    response = await graphql(
        client,
        query,
        variables={"id": await first_payment_id(client)},
        bearer=token(sub="staff-1", roles=["support"]),
    )

    assert "idempotencyKey" in response.json()["errors"][0]["message"]
    assert await Refund.count() == 0


async def test_a_retry_after_a_crash_between_refunding_and_revoking_still_revokes(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a refund that was to revoke access, made at Razorpay and recorded, by a request
    # that died before it revoked anything
    subscription_id = await become_pro(client, sandbox)
    payment_id = await first_payment_id(client)
    key = "refund-crashed-0001"
    made = await sandbox.http.post(
        f"/sandbox/v1/payments/{payment_id}/refund",
        json={"amount": 10000},
        headers={"X-Refund-Idempotency": key},
        auth=sandbox.auth,
    )
    await sandbox.drain()
    await staff_refund_claim(
        key=key,
        payment_id=payment_id,
        at=services.clock.now(),
        razorpay_refund_id=made.json()["id"],
    ).insert()
    assert await plan_of(client) == "pro"

    # when staff retry it
    again = await refund(client, id=payment_id, access="REVOKE_NOW", key=key)
    await sandbox.drain()

    # then it is the same refund, and access is revoked and the subscription cancelled now
    assert again["id"] == made.json()["id"]
    assert await plan_of(client) == "free"
    assert (await sandbox.subscription(subscription_id))["status"] == "cancelled"
