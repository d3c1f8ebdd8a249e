"""Usage against the plan's limits: recorded once, never past the limit, reset at 00:00 UTC."""

from __future__ import annotations

import asyncio
import math
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.documents import UsageEntry
from api.services import Services
from api.settings import Settings
from tests.billing_calls import become_pro, call, confirm
from tests.conftest import bind_documents
from tests.own_app import own_app
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

WORKSPACE_TIERS = Path(__file__).parent.parent / "examples" / "catalogs" / "workspace-tiers"


RESULT = """__typename
  ... on LimitUsage { feature used limit unlimited remaining resetsAt }
  ... on LimitReached { code feature limit used asked resetsAt
    upgradeTo { code name period price { amount } } }
  ... on Failure { code message }"""
RECORD = (
    "mutation($feature: String!, $quantity: Int!, $key: String!) {"
    f" recordUsage(feature: $feature, quantity: $quantity, idempotencyKey: $key) {{ {RESULT} }} }}"
)
RELEASE = RECORD.replace("recordUsage", "releaseUsage")
LIMITS = "{ entitlements { limits { feature used limit remaining resetsAt } } }"
UPGRADE_YEARLY = """mutation { upgrade(plan: "pro", period: YEARLY) {
  ... on CheckoutDetails { subscriptionId } } }"""
CAN_USE = """query($feature: String!, $quantity: Int!) {
  canUse(feature: $feature, quantity: $quantity) {
  __typename ... on LimitCheck { allowed asked usage { used } upgradeTo { code } }
  ... on Failure { code } } }"""


async def record(
    client: httpx.AsyncClient,
    *,
    feature: str = "chats",
    quantity: int = 1,
    key: str | None = None,
    user: str = "user-1",
    query: str = RECORD,
) -> dict[str, Any]:
    key = key or f"usage-{uuid.uuid4().hex}"
    data = await call(client, query, user=user, feature=feature, quantity=quantity, key=key)
    result: dict[str, Any] = next(iter(data.values()))
    return result


async def release(client: httpx.AsyncClient, **ask: Any) -> dict[str, Any]:
    return await record(client, query=RELEASE, **ask)


async def used(client: httpx.AsyncClient, feature: str = "chats", user: str = "user-1") -> int:
    limits = (await call(client, LIMITS, user=user))["entitlements"]["limits"]
    found: int = next(x["used"] for x in limits if x["feature"] == feature)
    return found


def next_utc_midnight(unix: int) -> datetime:
    day = datetime.fromtimestamp(unix, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=1)


async def test_a_free_users_chats_stop_at_20_until_00_00_utc(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a free user who has had 20 chats today
    for n in range(1, 21):
        recorded = await record(client)
        assert (recorded["__typename"], recorded["used"], recorded["remaining"]) == (
            "LimitUsage",
            n,
            20 - n,
        )
    now = await sandbox.now()

    # when they start a 21st
    reached = await record(client)

    # then it is LIMIT_REACHED naming Pro and the reset at the next 00:00 UTC, and not recorded
    assert reached["__typename"] == "LimitReached"
    assert (reached["code"], reached["limit"], reached["used"]) == ("LIMIT_REACHED", 20, 20)
    assert reached["upgradeTo"] == {
        "code": "pro",
        "name": "Pro",
        "period": "MONTHLY",
        "price": {"amount": 10000},
    }
    assert datetime.fromisoformat(reached["resetsAt"]) == next_utc_midnight(now)
    assert await used(client) == 20
    check = (await call(client, CAN_USE, feature="chats", quantity=1))["canUse"]
    assert check == {
        "__typename": "LimitCheck",
        "allowed": False,
        "asked": 1,
        "usage": {"used": 20},
        "upgradeTo": {"code": "pro"},
    }

    # and once the day has turned in UTC, they chat again from zero
    turn = int(next_utc_midnight(await sandbox.now()).timestamp()) - await sandbox.now()
    await sandbox.advance_seconds(turn + 1)
    assert (await record(client))["used"] == 1


async def test_pro_lifts_the_chat_limit(client: httpx.AsyncClient, sandbox: SandboxDriver) -> None:
    # given a free user at the daily limit
    await record(client, quantity=20)
    assert (await record(client))["__typename"] == "LimitReached"

    # when they pay for Pro
    await become_pro(client, sandbox)

    # then chats are unlimited, and what they used today still counts
    recorded = await record(client, quantity=100)
    assert recorded["__typename"] == "LimitUsage"
    assert (recorded["used"], recorded["limit"], recorded["unlimited"]) == (120, None, True)
    assert recorded["remaining"] is None


async def test_a_replayed_key_counts_once(client: httpx.AsyncClient) -> None:
    # given a chat recorded with a key
    first = await record(client, quantity=3, key="chat-replay-0001")

    # when the backend sends it again (a retry), and then reuses the key for something else
    again = await record(client, quantity=3, key="chat-replay-0001")
    other = await record(client, quantity=4, key="chat-replay-0001")

    # then the retry returns the first result, the reuse is refused, and 3 are used
    assert again == first
    assert other["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await used(client) == 3


async def test_bad_usage_requests_change_nothing(client: httpx.AsyncClient) -> None:
    # when a backend asks with an unknown feature, bad quantities, or releases consumption
    answers = [
        await record(client, feature="chatz"),
        await record(client, quantity=0),
        await record(client, quantity=-5),
        await record(client, quantity=2_000_000),
        await release(client, quantity=1),
    ]

    # then each is a typed failure and nothing was recorded
    assert [a["code"] for a in answers] == [
        "UNKNOWN_FEATURE",
        "INVALID_QUANTITY",
        "INVALID_QUANTITY",
        "INVALID_QUANTITY",
        "NOT_RELEASABLE",
    ]
    assert await used(client) == 0
    assert await UsageEntry.count() == 0


async def test_two_apps_recording_at_once_never_pass_the_limit(
    client: httpx.AsyncClient,
    sandbox: SandboxDriver,
    settings: Settings,
    services: Services,
    tmp_path: Path,
) -> None:
    async with own_app(settings, tmp_path / "var") as other:
        # given a second app on the same database, its clock on the same day as the first's
        behind = math.ceil(await sandbox.moved() - await other.sandbox.moved())
        if behind > 0:
            await other.sandbox.advance_seconds(behind)

        # when a free user's backends send 40 chats at once, half through each app
        calls = [record(app) for app in (client, other.client) for _ in range(20)]
        results = await asyncio.gather(*calls)
    await bind_documents(services)  # the second app bound the documents to its own client

    # then exactly 20 were recorded, the rest were LIMIT_REACHED, and the total is the successes
    kinds = [r["__typename"] for r in results]
    assert kinds.count("LimitUsage") == 20
    assert kinds.count("LimitReached") == 20
    assert sorted(r["used"] for r in results if r["__typename"] == "LimitUsage") == list(
        range(1, 21)
    )
    assert await used(client) == 20
    entries = await UsageEntry.find_all().to_list()
    assert sorted(e.seq for e in entries) == list(range(1, 21))


async def test_projects_on_the_workspace_tier_catalog(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    async with own_app(settings, tmp_path / "var", policy_dir=WORKSPACE_TIERS) as tiers:
        # given a free user of the workspace tiers with their one project
        first = await record(tiers.client, feature="projects")
        assert (first["used"], first["limit"], first["resetsAt"]) == (1, 1, None)

        # when they create a second
        second = await record(tiers.client, feature="projects")

        # then it is LIMIT_REACHED naming Pro at ₹1,499, with no reset: projects are a count
        assert second["__typename"] == "LimitReached"
        assert second["upgradeTo"] == {
            "code": "pro",
            "name": "Pro",
            "period": "MONTHLY",
            "price": {"amount": 149900},
        }
        assert second["resetsAt"] is None

        # and deleting the first releases it, so the next one fits; never below zero
        assert (await release(tiers.client, feature="projects"))["used"] == 0
        assert (await release(tiers.client, feature="projects"))["code"] == "INVALID_QUANTITY"
        assert (await record(tiers.client, feature="projects"))["used"] == 1
        assert await used(tiers.client, "projects") == 1


async def test_one_key_sent_many_times_at_once_counts_once(client: httpx.AsyncClient) -> None:
    # when a backend's retries of one chat arrive together
    answers = await asyncio.gather(*(record(client, key="chat-burst-0001") for _ in range(12)))

    # then every one of them answers the one recording
    assert {(a["__typename"], a["used"]) for a in answers} == {("LimitUsage", 1)}
    assert await used(client) == 1


async def test_the_beta_override_makes_every_limit_unlimited(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    async with own_app(settings, tmp_path / "beta", beta_override=True) as beta:
        # given a service in beta (BETA_OVERRIDE) and a user who never paid
        # when their backend records far past the free plan's 20 chats
        recorded = await record(beta.client, quantity=500)
        again = await record(beta.client, quantity=500)
        check = (await call(beta.client, CAN_USE, feature="chats", quantity=10_000))["canUse"]

    # then every recording is counted and nothing is LIMIT_REACHED
    assert recorded["__typename"] == again["__typename"] == "LimitUsage"
    assert (again["used"], again["limit"], again["unlimited"], again["remaining"]) == (
        1000,
        None,
        True,
        None,
    )
    assert (check["allowed"], check["usage"], check["upgradeTo"]) == (True, {"used": 1000}, None)


async def test_a_yearly_subscriber_at_a_limit_is_offered_the_next_plan_yearly(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    async with own_app(settings, tmp_path / "var", policy_dir=WORKSPACE_TIERS) as tiers:
        # given a Pro subscriber of the workspace tiers, paying yearly, with their 5 projects
        checkout = (await call(tiers.client, UPGRADE_YEARLY))["upgrade"]
        await confirm(tiers.client, await tiers.sandbox.pay(checkout["subscriptionId"]))
        await tiers.sandbox.drain()
        assert (await record(tiers.client, feature="projects", quantity=5))["limit"] == 5

        # when they create a sixth
        reached = await record(tiers.client, feature="projects")

    # then Teams is offered at its yearly price
    assert reached["upgradeTo"] == {
        "code": "teams",
        "name": "Teams",
        "period": "YEARLY",
        "price": {"amount": 4999000},
    }
