"""A refund's idempotency key: unused after a refusal found here, and keeping Razorpay's answer.

What the service can check itself (Razorpay's 100 paise minimum, what remains) is refused before
the key is taken, so the key can be sent again with a corrected request. Once Razorpay has
answered, the key keeps that answer (a refund, or a refusal), as Stripe's keys do; only
"Razorpay unavailable" leaves the request to be retried under the same key.
"""

from __future__ import annotations

import httpx
import pytest

from api.documents import RefundRequest
from tests.billing_calls import become_pro, payments_of, refund
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import at_razorpay

pytestmark = pytest.mark.asyncio(loop_scope="session")
NO_BALANCE = "Your account does not have enough balance to carry out the refund operation."


async def pro_payment(client: httpx.AsyncClient, sandbox: SandboxDriver) -> str:
    await become_pro(client, sandbox)
    payment_id: str = (await payments_of(client))[0]["id"]
    return payment_id


async def refunds_at_razorpay(sandbox: SandboxDriver, payment_id: str) -> list[int]:
    found = await at_razorpay(sandbox, f"payments/{payment_id}/refunds")
    return [r["amount"] for r in found["items"]]


async def test_a_refund_under_one_rupee_is_invalid_and_leaves_its_key_unused(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a Pro user's payment
    payment_id = await pro_payment(client, sandbox)
    key = "refund-tiny-00001"

    # when staff ask for less than Razorpay's minimum, under one key
    refused = [await refund(client, id=payment_id, amount=a, key=key) for a in (1, 99, 0, -100)]

    # then each is INVALID_AMOUNT naming the minimum, Razorpay saw nothing, the key is unused...
    assert {(r["code"], r["retryable"]) for r in refused} == {("INVALID_AMOUNT", False)}
    assert "at least 100 paise" in refused[0]["message"]
    assert await RefundRequest.get(key) is None
    assert await refunds_at_razorpay(sandbox, payment_id) == []

    # ...so the same key with a valid amount refunds
    made = await refund(client, id=payment_id, amount=100, key=key)
    assert (made["__typename"], made["amount"]["amount"]) == ("Refund", 100)
    assert await refunds_at_razorpay(sandbox, payment_id) == [100]


async def test_a_remainder_under_one_rupee_is_invalid_and_leaves_its_key_unused(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a payment refunded but for 50 paise
    payment_id = await pro_payment(client, sandbox)
    await refund(client, id=payment_id, amount=9950)

    # when staff ask for the rest
    rest = await refund(client, id=payment_id, key="refund-rest-000001")

    # then it is INVALID_AMOUNT saying what remains, and nothing more reached Razorpay
    assert rest["code"] == "INVALID_AMOUNT"
    assert "Only 50 paise" in rest["message"]
    assert await RefundRequest.get("refund-rest-000001") is None
    assert await refunds_at_razorpay(sandbox, payment_id) == [9950]


async def test_razorpays_refusal_is_the_keys_outcome_answered_again_to_the_same_request(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a payment whose next refund Razorpay refuses
    payment_id = await pro_payment(client, sandbox)
    path = f"/v1/payments/{payment_id}/refund"
    await sandbox.fail_next("POST", path, status=400, description=NO_BALANCE)
    key = "refund-refused-0001"

    # when staff refund under a key
    refused = await refund(client, id=payment_id, amount=1000, key=key)

    # then it is Razorpay's refusal, saying that the key keeps it
    assert (refused["code"], refused["retryable"]) == ("GATEWAY_REJECTED", False)
    assert NO_BALANCE in refused["message"]
    assert "use a new key" in refused["message"]

    # when the same request is sent again under the key, though Razorpay would now accept it
    again = await refund(client, id=payment_id, amount=1000, key=key)
    # then the same refusal comes back, and nothing was refunded
    assert again == refused
    assert await refunds_at_razorpay(sandbox, payment_id) == []

    # when the key is sent with another amount
    other = await refund(client, id=payment_id, amount=2000, key=key)
    # then the key is for the first request only
    assert other["code"] == "IDEMPOTENCY_KEY_REUSED"

    # when the request is sent under a new key
    made = await refund(client, id=payment_id, amount=1000, key="refund-refused-0002")
    # then it is refunded, once
    assert made["__typename"] == "Refund"
    assert await refunds_at_razorpay(sandbox, payment_id) == [1000]


async def test_razorpay_unavailable_leaves_the_refund_to_be_retried_under_the_same_key(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a payment, and Razorpay failing every refund call for now
    payment_id = await pro_payment(client, sandbox)
    await sandbox.fail_next("POST", f"/v1/payments/{payment_id}/refund", count=100)
    key = "refund-outage-00001"

    # when staff refund under a key
    failed = await refund(client, id=payment_id, amount=1500, key=key)

    # then it is a retryable failure, and nothing was refunded
    assert (failed["code"], failed["retryable"]) == ("GATEWAY_UNAVAILABLE", True)
    assert await refunds_at_razorpay(sandbox, payment_id) == []

    # when Razorpay is back and staff retry under the same key
    await sandbox.clear_faults()
    made = await refund(client, id=payment_id, amount=1500, key=key)

    # then it is refunded, once
    assert (made["__typename"], made["amount"]["amount"]) == ("Refund", 1500)
    assert await refunds_at_razorpay(sandbox, payment_id) == [1500]
    assert (await payments_of(client))[0]["refunded"]["amount"] == 1500
