"""A refund of a credit pack that Razorpay fails: the money stayed with us, so what its clawback
took is given back, once, whatever order its events come in; over HTTP, with the sandbox."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId

from api.billing.credits import account, clawback
from api.billing.reconcile import Drift
from api.services import Services
from tests.billing_calls import call, user_id
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import post_signed
from tests.test_credits import HISTORY, SPEND, a_key, balance, bought, staff_refund
from tests.test_reconcile import reconciled

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def entries(client: httpx.AsyncClient) -> list[tuple[str, int]]:
    """The user's credits history, newest first: (kind, amount)."""
    history = (await call(client, HISTORY))["credits"]["history"]
    return [(e["kind"], e["amount"]) for e in history]


async def delivered(sandbox: SandboxDriver, event: str, refund_id: str) -> dict[str, Any]:
    [found] = [
        d
        for d in await sandbox.deliveries()
        if d["event"] == event and refund_id in d["body"] and d["state"] != "held"
    ]
    return found


async def pack_refunded_pending(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> dict[str, Any]:
    """The 50-credit pack bought, then refunded in full by staff while Razorpay holds the
    refund pending: the refund."""
    payment_id = await bought(client, sandbox, "credits_50")
    await sandbox.hold_refunds()
    return await staff_refund(client, payment_id, amount=None)


async def test_a_refund_that_fails_gives_the_clawed_back_credits_back_once(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given the 50-credit pack bought, and staff refunding all of it while Razorpay holds the
    # refund pending: the credits are taken back at once
    refund = await pack_refunded_pending(client, sandbox)
    assert refund["__typename"] == "Refund"
    await sandbox.drain()
    assert await balance(client) == 0

    # when Razorpay fails the refund (the money stays with us) and says so by webhook
    await sandbox.end_refund(refund["id"], fail=True)
    await sandbox.drain()

    # then the credits are back, and the history shows the clawback and its reversal
    assert await balance(client) == 50
    expected = [("CLAWBACK_REVERSED", 50), ("CLAWBACK", -50), ("GRANT", 50)]
    assert await entries(client) == expected

    # when refund.failed is delivered again (another delivery of the same event)
    failed = await delivered(sandbox, "refund.failed", refund["id"])
    again = await post_signed(
        client, services, f"evt_{uuid.uuid4().hex[:14]}", failed["body"].encode()
    )
    assert again.json() == {"status": "processed"}

    # then nothing more is given back
    assert await balance(client) == 50
    assert await entries(client) == expected


async def test_a_failed_refund_gives_back_what_was_taken_not_the_shortfall(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given 10 credits bought, 8 spent, and a full refund with the shortfall allowed (held
    # pending at Razorpay): 2 taken, 8 recorded missing
    payment_id = await bought(client, sandbox, "credits_10")
    await call(client, SPEND, n=8, key=a_key())
    await sandbox.hold_refunds()
    refund = await staff_refund(client, payment_id, amount=None, allow=True)
    assert await balance(client) == 0

    # when the refund fails
    await sandbox.end_refund(refund["id"], fail=True)
    await sandbox.drain()

    # then the 2 taken are given back, and no more
    assert await balance(client) == 2
    assert (await entries(client))[:2] == [("CLAWBACK_REVERSED", 2), ("CLAWBACK", -2)]


async def test_refund_failed_before_any_other_event_of_it_takes_nothing_back(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given the pack bought, then refunded in Razorpay's Dashboard and failed there, with the
    # webhooks held
    payment_id = await bought(client, sandbox, "credits_50")
    await sandbox.hold()
    await sandbox.hold_refunds()
    refund = await sandbox.dashboard_refund(payment_id, amount=19900)
    await sandbox.end_refund(refund["id"], fail=True)

    # when refund.failed arrives first
    assert await sandbox.release("refund.failed") == ["refund.failed"]

    # then nothing was taken back, nor given back
    assert await balance(client) == 50
    assert await entries(client) == [("GRANT", 50)]

    # when refund.created arrives late, and then a refund.processed for the same refund
    assert await sandbox.release("refund.created") == ["refund.created"]
    failed = json.loads((await delivered(sandbox, "refund.failed", refund["id"]))["body"])
    failed["event"] = "refund.processed"
    failed["payload"]["refund"]["entity"]["status"] = "processed"
    late = await post_signed(
        client, services, f"evt_{uuid.uuid4().hex[:14]}", json.dumps(failed).encode()
    )
    assert late.json() == {"status": "processed"}

    # then still nothing is taken back: the refund stays failed
    assert await balance(client) == 50
    assert await entries(client) == [("GRANT", 50)]


async def test_after_a_failed_partial_refund_a_second_refund_takes_its_own_share(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given half of the pack refunded (25 credits taken back), and that refund failed
    payment_id = await bought(client, sandbox, "credits_50")
    await sandbox.hold_refunds()
    first = await staff_refund(client, payment_id, amount=9950)
    await sandbox.end_refund(first["id"], fail=True)
    await sandbox.drain()
    assert await balance(client) == 50

    # when staff refund what remains, and Razorpay processes it
    await sandbox.hold_refunds(False)
    second = await staff_refund(client, payment_id, amount=None)
    await sandbox.drain()

    # then all of the payment was refundable, and its whole share of the pack is taken back
    assert second["amount"]["amount"] == 19900
    assert await balance(client) == 0
    assert await entries(client) == [
        ("CLAWBACK", -50),
        ("CLAWBACK_REVERSED", 25),
        ("CLAWBACK", -25),
        ("GRANT", 50),
    ]


async def test_reconciliation_gives_back_the_credits_of_a_refund_failed_unseen(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given the pack refunded by staff (pending at Razorpay), then failed while every webhook
    # was lost
    refund = await pack_refunded_pending(client, sandbox)
    await sandbox.drain()
    await sandbox.drop()
    await sandbox.end_refund(refund["id"], fail=True)
    assert await balance(client) == 0

    # when reconciliation runs, twice
    report = await reconciled(services)
    again = await reconciled(services)

    # then the refund's status is repaired and the credits given back, once
    assert (Drift.REFUND_STATUS, refund["id"]) in {(f.drift, f.subject) for f in report.findings}
    assert await balance(client) == 50
    assert (await entries(client))[0] == ("CLAWBACK_REVERSED", 50)
    assert again.repaired == 0


async def test_credits_given_back_expire_when_the_lots_they_were_taken_from_would_have(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given 10 credits valid 30 days and 5 that never expire, and a clawback of 12 taken from
    # the 30-day grant first, then 2 from the others (through the ledger, at the clock)
    owner = PydanticObjectId(await user_id(client))
    now = services.clock.now()
    await account.grant(
        owner, payment_id="pay_Valid30Days01", credits=10, pack_code="p", validity_days=30, now=now
    )
    await account.adjust(owner, amount=5, key=a_key(), reason="goodwill", actor="s", now=now)
    await account.claw_back(
        owner,
        refund_id="rfnd_Valid30Days01",
        amount=12,
        grant_cause="grant:pay_Valid30Days01",
        allow_shortfall=False,
        actor="s",
        now=now,
    )

    # when that refund failed and the clawback is reversed (twice)
    await clawback.reverse_for("rfnd_Valid30Days01", now=services.clock.now())
    await clawback.reverse_for("rfnd_Valid30Days01", now=services.clock.now())
    assert await balance(client) == 15

    # then past 30 days the 10 of the 30-day grant expire, and the 5 others stay
    await sandbox.advance(days=31)
    assert await balance(client) == 5
    assert (await entries(client))[:2] == [("EXPIRY", -10), ("CLAWBACK_REVERSED", 12)]
