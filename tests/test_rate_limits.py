"""Rate limits: money mutations per user, anonymous `/graphql` per address; the budget lives in
the database, so every process behind a load balancer spends the same one.

Processes of their own (`process`) run on the session's database with small limits and a clock
of their own; the ones that call Razorpay use the session's sandbox as their Razorpay.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from strawberry.types.base import StrawberryObjectDefinition

from api.app import create_app
from api.clock import MovableClock
from api.documents import RateSlot, Subscription, User
from api.graphql.guards import Guard
from api.graphql.schema import build_schema
from api.ratelimit import Budget
from api.services import Services
from api.settings import Settings
from tests.billing_calls import UPGRADE
from tests.builders import graphql, token
from tests.conftest import make_settings
from tests.plans_command import plans_sync
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

CANCEL = "mutation { cancelSubscription(atPeriodEnd: true) { __typename } }"
ANONYMOUS = "{ __typename }"


def razorpay_of(settings: Settings, plan_id: str) -> dict[str, object]:
    """The session's sandbox as another process's Razorpay."""
    credentials = json.loads((settings.data_dir / "sandbox" / "credentials.json").read_text())
    return {
        "razorpay_key_id": credentials["key_id"],
        "razorpay_key_secret": credentials["key_secret"],
        "razorpay_webhook_secret": credentials["webhook_secret"],
        "razorpay_base_url": f"http://127.0.0.1:{settings.port}/sandbox",
        "razorpay_plan_id": plan_id,
    }


# Keys that are never called: for processes whose calls here do not reach Razorpay.
UNUSED_RAZORPAY = {
    "razorpay_key_id": "rzp_test_ratelimit000",
    "razorpay_key_secret": "secret",
    "razorpay_webhook_secret": "whsecret",
}


def process_settings(settings: Settings, tmp: Path, **overrides: object) -> Settings:
    return make_settings(
        mongodb_uri=settings.mongodb_uri,
        mongodb_db=settings.mongodb_db,
        data_dir=tmp,
        **{**UNUSED_RAZORPAY, **overrides},
    )


@asynccontextmanager
async def process(
    settings: Settings, clock: MovableClock, address: str = "203.0.113.7"
) -> AsyncIterator[httpx.AsyncClient]:
    """One more API process on the same database, reached from `address`."""
    app = create_app(settings, clock=clock)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


async def upgrade_as(http: httpx.AsyncClient, subject: str) -> dict[str, Any]:
    response = await graphql(
        http, UPGRADE, variables={"key": f"upgrade-{subject}-0001"}, bearer=bearer(subject)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def outcome(body: dict[str, Any]) -> str:
    """The result's __typename, or the one error's code."""
    if "errors" in body:
        [error] = body["errors"]
        return str(error["extensions"]["code"])
    [result] = body["data"].values()
    return str(result["__typename"])


def bearer(subject: str) -> str:
    return token(sub=subject, email=f"{subject}@example.com")


async def created_for(subject: str, sandbox: SandboxDriver) -> dict[str, int]:
    """What the user's upgrades created: subscriptions here and at Razorpay, customers there."""
    response = await sandbox.http.get(
        "/sandbox/v1/customers", params={"count": 100}, auth=sandbox.auth
    )
    email = f"{subject}@example.com"
    customers = sum(1 for c in response.json()["items"] if c["email"] == email)
    user = await User.find_one(User.subject == subject)
    if user is None:
        return {"here": 0, "razorpay": 0, "customers": customers}
    here = await Subscription.find(Subscription.user_id == user.id).count()
    razorpay = await sandbox.subscriptions(notes_user_id=str(user.id))
    return {"here": here, "razorpay": len(razorpay), "customers": customers}


async def test_every_mutation_spends_a_budget_declared_with_its_guard() -> None:
    mutation = build_schema().schema_converter.type_map["Mutation"].definition
    assert isinstance(mutation, StrawberryObjectDefinition)

    limits = {
        field.name: [e.limit for e in field.extensions if isinstance(e, Guard)]
        for field in mutation.fields
    }

    assert limits == {
        "upgrade": [Budget.UPGRADE],
        "confirm_checkout": [Budget.CONFIRM_CHECKOUT],
        "cancel_subscription": [Budget.CANCEL_SUBSCRIPTION],
        "change_plan": [Budget.UPGRADE],
        "cancel_scheduled_change": [Budget.UPGRADE],
        "refund_payment": [Budget.REFUND_PAYMENT],
        "request_refund": [Budget.REQUEST_REFUND],
        "decide_refund_request": [Budget.REFUND_PAYMENT],
        "start_github_import": [Budget.GITHUB_IMPORT],
        "record_funnel_event": [Budget.FUNNEL_EVENT],
        "record_usage": [Budget.USAGE],
        "release_usage": [Budget.USAGE],
        "buy_credits": [Budget.BUY_CREDITS],
        "confirm_credit_purchase": [Budget.CONFIRM_CREDIT_PURCHASE],
        "spend_credits": [Budget.SPEND_CREDITS],
        "adjust_credits": [Budget.ADJUST_CREDITS],
        "grant_access": [Budget.ACCESS_GRANT],
        "revoke_grant": [Budget.ACCESS_GRANT],
    }


async def test_the_16th_upgrade_within_the_hour_is_limited_and_changes_nothing(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a user who clicked upgrade 15 times within the hour (the default budget)
    answers = [outcome(await upgrade_as(client, "clicker-1")) for _ in range(15)]
    assert answers == ["CheckoutDetails"] * 15
    fingerprint = await sandbox.fingerprint()
    created = await created_for("clicker-1", sandbox)

    # when they click once more
    response = await graphql(
        client, UPGRADE, variables={"key": "upgrade-clicker-1-0002"}, bearer=bearer("clicker-1")
    )

    # then it is limited, says when to come back, and nothing changed here or at Razorpay
    body = response.json()
    [error] = body["errors"]
    assert body["data"] is None
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= error["extensions"]["retryAfter"] <= 3600
    assert response.headers["retry-after"] == str(error["extensions"]["retryAfter"])
    assert await sandbox.fingerprint() == fingerprint
    assert await created_for("clicker-1", sandbox) == created

    # and once the hour has passed, upgrade answers again
    await sandbox.advance(hours=1)
    assert outcome(await upgrade_as(client, "clicker-1")) == "CheckoutDetails"


async def test_two_processes_on_one_database_share_one_budget(
    settings: Settings, services: Services, sandbox: SandboxDriver, tmp_path: Path
) -> None:
    # given two processes behind a load balancer, 3 upgrades an hour per user
    (plan,) = await plans_sync(settings)  # the default catalog sells Pro monthly only
    shared = process_settings(
        settings, tmp_path, rate_limit_upgrade="3/1h", **razorpay_of(settings, str(plan["plan_id"]))
    )
    clock = MovableClock()
    async with process(shared, clock) as first, process(shared, clock) as second:
        # when a user's upgrades land on either process
        spent = [outcome(await upgrade_as(http, "balanced-1")) for http in (first, second, first)]
        before = await created_for("balanced-1", sandbox)
        over = await upgrade_as(second, "balanced-1")
        after = await created_for("balanced-1", sandbox)
        # ...and again once the hour has passed
        clock.advance(timedelta(hours=1))
        later = outcome(await upgrade_as(second, "balanced-1"))

    # then the fourth is limited whichever process it reaches, and created nothing
    assert spent == ["CheckoutDetails"] * 3
    assert outcome(over) == "RATE_LIMITED"
    assert before == after == {"here": 1, "razorpay": 1, "customers": 1}
    assert later == "CheckoutDetails"


async def test_concurrent_calls_get_exactly_the_budget(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given 5 cancels an hour per user, on two processes
    shared = process_settings(settings, tmp_path, rate_limit_cancel_subscription="5/1h")
    clock = MovableClock()
    bearer = token(sub="racer-1")
    async with process(shared, clock) as first, process(shared, clock) as second:
        # when the user sends 16 at once, half to each
        bodies = await asyncio.gather(
            *(graphql(http, CANCEL, bearer=bearer) for http in (first, second) * 8)
        )

    # then exactly 5 went through (and found nothing to cancel)
    outcomes = sorted(outcome(b.json()) for b in bodies)
    assert outcomes == ["Failure"] * 5 + ["RATE_LIMITED"] * 11


async def test_a_budget_reset_gives_concurrent_callers_the_whole_budget_again(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given a user who spent the hour's 3 cancels through a process that remembers it
    shared = process_settings(settings, tmp_path, rate_limit_cancel_subscription="3/1h")
    bearer = token(sub="reset-1")
    async with process(shared, MovableClock()) as http:
        spent = [outcome((await graphql(http, CANCEL, bearer=bearer)).json()) for _ in range(4)]
        assert spent == ["Failure"] * 3 + ["RATE_LIMITED"]

        # when an operator gives the budget back, and the user sends 4 at once
        await RateSlot.find_all().delete()
        bodies = await asyncio.gather(*(graphql(http, CANCEL, bearer=bearer) for _ in range(4)))

    # then exactly the budget went through again
    assert sorted(outcome(b.json()) for b in bodies) == ["Failure"] * 3 + ["RATE_LIMITED"]


async def test_a_budget_reset_midway_gives_the_whole_budget_back(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given a user who spent 2 of the hour's 3 cancels through a process that remembers it
    shared = process_settings(settings, tmp_path, rate_limit_cancel_subscription="3/1h")
    bearer = token(sub="reset-2")
    async with process(shared, MovableClock()) as http:
        for _ in range(2):
            await graphql(http, CANCEL, bearer=bearer)

        # when an operator gives the budget back, and the user sends 4 more
        await RateSlot.find_all().delete()
        after = [outcome((await graphql(http, CANCEL, bearer=bearer)).json()) for _ in range(4)]

    # then the whole budget was there again
    assert after == ["Failure"] * 3 + ["RATE_LIMITED"]


async def test_a_limited_field_refuses_the_whole_mutation_document(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given one document asking for 16 upgrades, one over the hour's budget
    fields = " ".join(f"u{n}: upgrade(idempotencyKey: $key) {{ __typename }}" for n in range(16))
    document = f"mutation($key: String!) {{ {fields} }}"

    # when a user sends it
    response = await graphql(
        client, document, variables={"key": "many-upgrades-01"}, bearer=bearer("greedy-1")
    )

    # then the 16th is limited and none of them ran
    body = response.json()
    assert body["data"] is None
    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
        ("RATE_LIMITED", ["u15"])
    ]
    assert await created_for("greedy-1", sandbox) == {"here": 0, "razorpay": 0, "customers": 0}
    # and the budget it took is spent: a refused document is not a free retry
    assert outcome(await upgrade_as(client, "greedy-1")) == "RATE_LIMITED"


async def test_a_denied_mutation_spends_no_budget(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given one refund an hour per staff member
    shared = process_settings(settings, tmp_path, rate_limit_refund_payment="1/1h")
    refund = """mutation { refundPayment(paymentId: "pay_Unknown0000001",
        idempotencyKey: "refund-key-00001") { __typename ... on Failure { code } } }"""
    async with process(shared, MovableClock()) as http:
        # when a free user asks for a refund they may not make
        denied = await graphql(http, refund, bearer=token(sub="same-1"))
        # and the same subject, as support, asks for one
        allowed = await graphql(http, refund, bearer=token(sub="same-1", roles=["support"]))

    # then the denial took nothing from the budget
    assert outcome(denied.json()) == "FORBIDDEN"
    assert allowed.json()["data"]["refundPayment"] == {"__typename": "Failure", "code": "NOT_FOUND"}


async def test_anonymous_callers_get_a_budget_per_address(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given 3 anonymous requests a minute per address
    limited = process_settings(settings, tmp_path, rate_limit_anonymous="3/1m")
    clock = MovableClock()
    async with (
        process(limited, clock, address="198.51.100.1") as caller,
        process(limited, clock, address="198.51.100.2") as neighbour,
    ):
        spent = [(await graphql(caller, ANONYMOUS)).status_code for _ in range(3)]
        # when the address asks a fourth time
        over = await graphql(caller, ANONYMOUS)
        # ...while another address and a signed-in caller from the same address ask too
        other_address = await graphql(neighbour, ANONYMOUS)
        signed_in = await graphql(caller, ANONYMOUS, bearer=token(sub="signed-1"))
        clock.advance(timedelta(minutes=1))
        next_minute = await graphql(caller, ANONYMOUS)

    # then that address is told to wait, in GraphQL's shape; nobody else is
    assert spent == [200, 200, 200]
    assert over.status_code == 429
    error = over.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= error["extensions"]["retryAfter"] <= 60
    assert over.headers["retry-after"] == str(error["extensions"]["retryAfter"])
    assert (other_address.status_code, signed_in.status_code) == (200, 200)
    assert next_minute.status_code == 200


async def test_finished_windows_are_swept(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given a process whose anonymous callers filled some windows
    limited = process_settings(settings, tmp_path, rate_limit_anonymous="100/1m")
    clock = MovableClock()
    slots = services.database[RateSlot.Settings.name]
    async with process(limited, clock) as http:
        for _ in range(5):
            await graphql(http, ANONYMOUS)
        filled = await slots.count_documents({})
        # when time moves on well past those windows and someone calls
        clock.advance(timedelta(minutes=5))
        await graphql(http, ANONYMOUS)

    # then only the current window's slot is left
    assert filled == 5
    assert await slots.count_documents({}) == 1
