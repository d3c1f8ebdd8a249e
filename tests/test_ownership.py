"""Nobody sees or acts on another user's billing: it is simply not found."""

from __future__ import annotations

import httpx
import pytest

from api.documents import AccessChange, Payment
from tests.billing_calls import become_pro, confirm, payments_of, plan_of, start_upgrade
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_confirming_another_users_checkout_is_not_found_and_changes_nothing(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given user-1's paid checkout
    checkout = await start_upgrade(client, user="user-1")
    handler = await sandbox.pay(checkout["subscriptionId"])

    # when user-2 replays it
    result = await confirm(client, handler, user="user-2")

    # then it is not found, and user-2 got nothing
    assert result["code"] == "NOT_FOUND"
    assert await plan_of(client, user="user-2") == "free"
    assert await payments_of(client, user="user-2") == []


async def test_payment_history_shows_only_the_viewers_payments(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    await become_pro(client, sandbox, user="user-1")

    assert len(await payments_of(client, user="user-1")) == 1
    assert await payments_of(client, user="user-2") == []


async def test_a_tampered_checkout_signature_is_refused(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a paid checkout whose webhooks have not arrived
    await sandbox.hold()
    checkout = await start_upgrade(client)
    handler = await sandbox.pay(checkout["subscriptionId"])

    # when the handler's signature is tampered with
    result = await confirm(client, {**handler, "razorpay_signature": "f" * 64})

    # then nothing is recorded and nobody is Pro
    assert result["code"] == "INVALID_SIGNATURE"
    assert await Payment.count() == 0
    assert await AccessChange.count() == 0
    assert await plan_of(client) == "free"
    assert "subscription.activated" in await sandbox.release()
