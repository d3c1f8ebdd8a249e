"""Never two live subscriptions, and never a plan at another price than the catalog's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from api.billing.outcomes import FailureCode, Problem
from api.billing.plans import PlanResolver
from api.billing.upgrade import Checkout, offer, upgrade
from api.catalog.model import Period
from api.documents import User
from api.services import Services
from api.settings import Settings
from tests.billing_calls import (
    become_pro,
    call,
    confirm,
    plan_of,
    start_upgrade,
    user_id,
)
from tests.own_app import own_app
from tests.sandbox_driver import SandboxDriver
from tests.signed_webhooks import deliver

pytestmark = pytest.mark.asyncio(loop_scope="session")

# What a client sends now that `idempotencyKey` is ignored (deprecated).
UPGRADE_WITHOUT_KEY = """mutation { upgrade {
  __typename ... on CheckoutDetails { subscriptionId } ... on Failure { code } } }"""


async def a_user(client: httpx.AsyncClient, subject: str = "user-1") -> User:
    """The user as the service stores them, once it has seen them."""
    await user_id(client, user=subject)
    user = await User.find_one(User.subject == subject)
    assert user is not None
    return user


async def subscriptions_at_razorpay(sandbox: SandboxDriver, subject: str = "user-1") -> list[str]:
    user = await User.find_one(User.subject == subject)
    assert user is not None
    return [s["id"] for s in await sandbox.subscriptions(notes_user_id=str(user.id))]


async def test_upgrade_needs_no_key_and_every_call_gets_the_one_unpaid_checkout(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a user who started buying Pro without an idempotency key
    first = (await call(client, UPGRADE_WITHOUT_KEY))["upgrade"]
    assert first["__typename"] == "CheckoutDetails", first

    # when they, or an older client sending keys (any key, formerly refused ones too), ask again
    again = [
        (await call(client, UPGRADE_WITHOUT_KEY))["upgrade"],
        await start_upgrade(client, key="click-0000000001"),
        await start_upgrade(client, key="click-0000000002"),
        await start_upgrade(client, key="x"),
    ]

    # then each gets the same checkout, and Razorpay has one subscription for them
    assert {a["subscriptionId"] for a in again} == {first["subscriptionId"]}
    assert await subscriptions_at_razorpay(sandbox) == [first["subscriptionId"]]


async def test_the_same_key_after_paying_is_told_the_user_has_pro(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a user who paid the checkout an upgrade with key K gave them
    checkout = await start_upgrade(client, key="click-0000000001")
    await confirm(client, await sandbox.pay(checkout["subscriptionId"]))

    # when the same request, key K included, is sent again (a client's retry)
    again = await start_upgrade(client, key="click-0000000001")

    # then it is told the user has Pro, not handed a checkout Razorpay would refuse to charge
    assert (again["__typename"], again["code"]) == ("Failure", "ALREADY_SUBSCRIBED")
    assert await plan_of(client) == "pro"


async def test_an_authenticated_subscription_is_not_bought_twice(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a checkout whose mandate is set up, the first charge still to come
    checkout = await start_upgrade(client)
    snapshot = await sandbox.subscription(checkout["subscriptionId"])
    await deliver(
        client,
        services,
        "evt_authenticated_01",
        "subscription.authenticated",
        snapshot["created_at"] + 60,
        subscription={**snapshot, "status": "authenticated"},
    )
    assert await plan_of(client) == "free"

    # when the user upgrades again
    again = await start_upgrade(client)

    # then they are told they have it, and Razorpay has still one subscription for them
    assert (again["__typename"], again["code"]) == ("Failure", "ALREADY_SUBSCRIBED")
    assert await subscriptions_at_razorpay(sandbox) == [checkout["subscriptionId"]]


async def test_a_renewal_being_retried_is_not_replaced_by_a_new_subscription(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    # given a service without grace (GRACE_DAYS=0), and a Pro user of it whose renewal failed,
    # Razorpay retrying it
    async with own_app(settings, tmp_path / "var", grace_days=0) as app:
        subscription_id = await become_pro(app.client, app.sandbox)
        await app.sandbox.next_charge(subscription_id, fail="card_declined", count=4)
        await app.sandbox.advance_past_next_charge(subscription_id)
        assert (await app.sandbox.subscription(subscription_id))["status"] == "pending"
        assert await plan_of(app.client) == "free"

        # when they upgrade again
        again = await start_upgrade(app.client)

        # then they are told why not, and Razorpay has still one subscription for them
        assert (again["__typename"], again["code"], again["retryable"]) == (
            "Failure",
            "RENEWAL_PENDING",
            True,
        )
        assert await subscriptions_at_razorpay(app.sandbox) == [subscription_id]


async def test_a_halted_subscription_is_cancelled_at_razorpay_before_a_new_one_starts(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a user whose renewals all failed, so their subscription halted and Pro ended
    subscription_id = await become_pro(client, sandbox)
    await sandbox.next_charge(subscription_id, fail="card_declined", count=4)
    for _ in range(4):
        await sandbox.advance_past_next_charge(subscription_id)
    assert (await sandbox.subscription(subscription_id))["status"] == "halted"
    assert await plan_of(client) == "free"

    # when they upgrade again
    again = await start_upgrade(client)

    # then they get a new checkout, and the halted subscription can never charge again
    assert again["__typename"] == "CheckoutDetails"
    assert again["subscriptionId"] != subscription_id
    assert (await sandbox.subscription(subscription_id))["status"] == "cancelled"


async def upgrade_selling(
    client: httpx.AsyncClient, services: Services, *, amount: int
) -> tuple[str, Checkout | Problem]:
    """user-1's upgrade through a Billing of its own, configured with a Razorpay plan of
    `amount` paise a month; the plan's id and the outcome."""
    plan = await services.billing.gateway.create_plan("Pro", amount, "INR", "monthly", 1)
    billing = replace(services.billing, plans=PlanResolver({("pro", "monthly"): plan.id}))
    sale = offer(billing.catalog, None, Period.MONTHLY)
    assert not isinstance(sale, Problem)
    return plan.id, await upgrade(billing, await a_user(client), *sale)


async def test_a_configured_plan_at_another_price_is_refused(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given billing configured with a Razorpay plan that charges ₹50 a month
    # when a user upgrades
    plan_id, result = await upgrade_selling(client, services, amount=5000)

    # then nobody is subscribed to it, and the failure says what is wrong
    assert isinstance(result, Problem)
    assert result.code is FailureCode.PLAN_MISCONFIGURED
    assert plan_id in result.message and "amount 5000 != 10000" in result.message
    assert await subscriptions_at_razorpay(sandbox) == []


async def test_a_configured_plan_at_the_catalog_price_is_the_one_sold(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given billing configured with a Razorpay plan that charges the catalog's ₹100 a month
    # when a user upgrades
    plan_id, result = await upgrade_selling(client, services, amount=10_000)

    # then their checkout subscribes them to that plan
    assert isinstance(result, Checkout)
    assert (await sandbox.subscription(result.subscription_id))["plan_id"] == plan_id


@pytest.mark.parametrize(
    ("local_part", "name"),
    [
        ("jo", "jo@example.com"),
        ("x", "x@example.com"),
        ("first_last+billing", "first last billing"),
        ("x" * 52, "x" * 50),
    ],
    ids=["two-letters", "one-letter", "underscore-and-plus", "longer-than-50"],
)
async def test_any_email_gets_a_customer_name_razorpay_accepts(
    client: httpx.AsyncClient, sandbox: SandboxDriver, local_part: str, name: str
) -> None:
    # given a user whose email's local part Razorpay would refuse as a name
    # when they upgrade
    checkout = await start_upgrade(client, user=local_part)

    # then Checkout can start, and Razorpay holds a customer with a readable name
    assert checkout["__typename"] == "CheckoutDetails", checkout
    customer = await sandbox.customer(email=f"{local_part}@example.com")
    assert customer["name"] == name
