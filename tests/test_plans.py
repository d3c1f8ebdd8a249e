"""`plans`, `entitlements`, `canUse` and `upgrade` driven by the catalog file, on both catalogs:
the default (the Pro brief) and the workspace-tier example, each served by an app of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.billing.outcomes import FailureCode, Problem
from api.billing.plans import PlanResolver, sync_price
from api.catalog.load import load_catalog
from api.catalog.model import Period, Plan, Price
from api.documents import RazorpayPlanLink
from api.services import Services
from api.settings import Settings
from tests.billing_calls import become_pro, call, confirm, plan_of
from tests.builders import token
from tests.own_app import OwnApp, own_app
from tests.plans_command import plans_sync
from tests.policy_files import POLICIES
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

TIERS = POLICIES.parent / "examples" / "catalogs" / "workspace-tiers"
CATALOGS = {"pro-brief": POLICIES, "workspace-tiers": TIERS}

PLANS = """{ plans { id code name rank trialDays
  prices { period interval price { amount currency formatted } }
  features { code included plan }
  limits { code kind reset amount unlimited }
  levels { code value } } }"""

ENTITLEMENTS = """{ entitlements { plan { code name } accessUntil reason
  features { feature allowed reason requiredPlan }
  limits { feature limit unlimited }
  levels { code value above { value plan } } } }"""

CAN_USE = """query($f: String!, $q: Int, $l: String) {
  canUse(feature: $f, quantity: $q, level: $l) {
  __typename
  ... on FeatureAccess { feature allowed reason requiredPlan }
  ... on LimitCheck { feature allowed reason requiredPlan }
  ... on Failure { code message } } }"""

UPGRADE_TO = """mutation($plan: String, $period: Period!) { upgrade(plan: $plan, period: $period) {
  __typename
  ... on CheckoutDetails { subscriptionId name description }
  ... on Failure { code message } } }"""


@pytest_asyncio.fixture(params=list(CATALOGS), ids=list(CATALOGS))
async def served(
    request: pytest.FixtureRequest, settings: Settings, services: Services, tmp_path: Path
) -> AsyncIterator[tuple[str, OwnApp]]:
    """An app on one catalog (POLICY_DIR), with its own sandbox, on the emptied database."""
    name: str = request.param
    async with own_app(settings, tmp_path / name, policy_dir=CATALOGS[name]) as app:
        yield name, app


async def test_plans_lists_every_plan_with_its_prices_features_limits_and_levels(
    served: tuple[str, OwnApp],
) -> None:
    name, app = served

    plans = (await call(app.client, PLANS))["plans"]

    catalog = load_catalog(CATALOGS[name])
    assert [p["code"] for p in plans] == [p.code for p in catalog.plans]
    assert [p["rank"] for p in plans] == list(range(len(catalog.plans)))
    assert plans[0]["prices"] == []
    if name == "pro-brief":
        assert plans[1]["prices"] == [
            {
                "period": "MONTHLY",
                "interval": 1,
                "price": {"amount": 10000, "currency": "INR", "formatted": "₹100"},
            }
        ]
        assert plans[1]["features"] == [
            {"code": "github_import", "included": True, "plan": "pro"},
            {"code": "priority_support", "included": True, "plan": "pro"},
        ]
        assert [x["amount"] for p in plans for x in p["limits"]] == [20, None]
        assert plans[0]["limits"][0] == {
            "code": "chats",
            "kind": "PER_PERIOD",
            "reset": "DAY",
            "amount": 20,
            "unlimited": False,
        }
    else:
        assert [p["name"] for p in plans] == ["Free", "Pro", "Teams", "Business"]
        assert all([x["period"] for x in p["prices"]] == ["MONTHLY", "YEARLY"] for p in plans[1:])
        assert [p["prices"][0]["price"]["formatted"] for p in plans[1:]] == [
            "₹1,499",
            "₹4,999",
            "₹9,999",
        ]
        assert [p["trialDays"] for p in plans] == [0, 0, 14, 0]
        included = {p["code"]: [f["code"] for f in p["features"] if f["included"]] for p in plans}
        assert included == {
            "free": [],
            "pro": ["exports", "designer"],
            "teams": ["exports", "designer", "team"],
            "business": ["exports", "designer", "team", "white_label"],
        }
        assert [p["limits"][0]["amount"] for p in plans] == [1, 5, 20, None]
        assert [p["levels"] for p in plans][1] == [{"code": "ai_level", "value": "db_tables"}]


async def test_a_free_users_entitlements_name_the_cheapest_plan_for_each_thing(
    served: tuple[str, OwnApp],
) -> None:
    name, app = served

    data = (await call(app.client, ENTITLEMENTS))["entitlements"]

    assert data["plan"] == {"code": "free", "name": "Free"}
    assert data["accessUntil"] is None
    assert not any(f["allowed"] for f in data["features"])
    if name == "pro-brief":
        assert {f["feature"]: f["requiredPlan"] for f in data["features"]} == {
            "github_import": "pro",
            "priority_support": "pro",
        }
        assert data["features"][0]["reason"] == "requires Pro"
        assert data["limits"] == [{"feature": "chats", "limit": 20, "unlimited": False}]
        assert data["levels"] == []
    else:
        assert {f["feature"]: f["requiredPlan"] for f in data["features"]} == {
            "exports": "pro",
            "designer": "pro",
            "team": "teams",
            "white_label": "business",
        }
        assert data["limits"] == [
            {"feature": "projects", "limit": 1, "unlimited": False},
            {"feature": "versions", "limit": 2, "unlimited": False},
        ]
        assert data["levels"] == [
            {
                "code": "ai_level",
                "value": "db",
                "above": [
                    {"value": "db_tables", "plan": "pro"},
                    {"value": "full", "plan": "teams"},
                ],
            }
        ]


async def can_use(client: httpx.AsyncClient, feature: str, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await call(client, CAN_USE, f=feature, **variables))["canUse"]
    return found


async def test_can_use_answers_for_features_limits_and_levels_and_types_unknown_codes(
    served: tuple[str, OwnApp],
) -> None:
    name, app = served
    client = app.client

    unknown = await can_use(client, "teleportation")
    assert unknown["__typename"] == "Failure"
    assert unknown["code"] == "UNKNOWN_FEATURE"
    if name == "pro-brief":
        assert await can_use(client, "github_import") == {
            "__typename": "FeatureAccess",
            "feature": "github_import",
            "allowed": False,
            "reason": "requires Pro",
            "requiredPlan": "pro",
        }
        within = await can_use(client, "chats", q=20)
        beyond = await can_use(client, "chats", q=21)
        assert (within["allowed"], within["requiredPlan"]) == (True, "free")
        assert (beyond["allowed"], beyond["requiredPlan"]) == (False, "pro")
        assert beyond["reason"] == "Free allows 20 a day; Pro allows more"
    else:
        level = await can_use(client, "ai_level", l="full")
        lowest = await can_use(client, "ai_level", l="db")
        bad_level = await can_use(client, "ai_level", l="galaxy")
        assert (level["allowed"], level["requiredPlan"]) == (False, "teams")
        assert lowest["allowed"] is True
        assert bad_level["code"] == "UNKNOWN_FEATURE"
        assert "db, db_tables, full" in bad_level["message"]
        projects = await can_use(client, "projects", q=6)
        assert (projects["allowed"], projects["requiredPlan"]) == (False, "teams")


async def test_a_quantity_below_one_is_refused_as_bad_input(served: tuple[str, OwnApp]) -> None:
    name, app = served
    limit = "chats" if name == "pro-brief" else "projects"

    response = await app.client.post(
        "/graphql",
        json={"query": CAN_USE, "variables": {"f": limit, "q": 0}},
        headers={"Authorization": f"Bearer {token(sub='user-1')}"},
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_upgrading_to_an_unknown_or_unsold_plan_is_typed_and_creates_nothing(
    served: tuple[str, OwnApp],
) -> None:
    name, app = served
    client = app.client

    unknown = (await call(client, UPGRADE_TO, plan="platinum", period="MONTHLY"))["upgrade"]
    free = (await call(client, UPGRADE_TO, plan="free", period="MONTHLY"))["upgrade"]

    assert (unknown["code"], free["code"]) == ("UNKNOWN_PLAN", "UNKNOWN_PLAN")
    assert free["message"] == "Free is not sold."
    if name == "pro-brief":
        yearly = (await call(client, UPGRADE_TO, plan="pro", period="YEARLY"))["upgrade"]
        assert (yearly["code"], yearly["message"]) == ("UNKNOWN_PLAN", "Pro is not sold yearly.")
    assert await plan_of(client) == "free"


async def test_a_free_user_upgrades_to_the_tier_they_pick_through_checkout(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    async with own_app(settings, tmp_path / "tiers", policy_dir=TIERS) as app:
        # given a free user on the workspace tiers
        client = app.client

        # when they buy Pro, yearly, through Checkout
        checkout = (await call(client, UPGRADE_TO, plan="pro", period="YEARLY"))["upgrade"]
        assert checkout["__typename"] == "CheckoutDetails", checkout
        await confirm(client, await app.sandbox.pay(checkout["subscriptionId"]))
        await app.sandbox.drain()

        # then they are on Pro, with exports and designer and not team, and ₹14,990 a year
        data = (await call(client, ENTITLEMENTS))["entitlements"]
        subscription = await call(client, "{ subscription { period plan { code } } }")
        razorpay = await app.sandbox.subscription(checkout["subscriptionId"])

    assert checkout["name"] == "Pro"
    assert checkout["description"] == "Pro, ₹14,990 a year"
    assert data["plan"]["code"] == "pro"
    allowed = {f["feature"]: f["allowed"] for f in data["features"]}
    assert allowed == {"exports": True, "designer": True, "team": False, "white_label": False}
    assert data["limits"][0] == {"feature": "projects", "limit": 5, "unlimited": False}
    assert subscription["subscription"] == {"period": "YEARLY", "plan": {"code": "pro"}}
    assert razorpay["total_count"] == 10


async def test_syncing_the_plans_twice_creates_each_price_once(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    first = await plans_sync(settings)
    second = await plans_sync(settings)

    assert first == second
    assert [(p["plan"], p["period"], p["amount"]) for p in first] == [("pro", "monthly", 10000)]


def pro_monthly(services: Services, *, amount: int | None = None) -> tuple[Plan, Price]:
    """The default catalog's Pro and its monthly price, or that price changed to `amount`."""
    pro = services.catalog.plan("pro")
    assert pro is not None
    price = pro.price(Period.MONTHLY)
    assert price is not None
    return pro, price if amount is None else replace(price, amount=amount)


async def test_an_unsynced_price_is_plan_not_configured_naming_the_command(
    services: Services,
) -> None:
    # given real Razorpay keys (no plan is made unasked) and a price nobody synced
    plans = PlanResolver({}, auto_sync=False)
    pro, price = pro_monthly(services, amount=12_300)

    # when Pro is to be sold at it
    found = await plans.for_sale(services.billing.gateway, pro, price, services.billing.now())

    # then the failure names the command that fixes it
    assert isinstance(found, Problem)
    assert found.code is FailureCode.PLAN_NOT_CONFIGURED
    assert "python -m api plans sync" in found.message


async def test_a_synced_price_is_sold_without_any_setting(
    settings: Settings, services: Services, client: httpx.AsyncClient
) -> None:
    # given real Razorpay keys, no RAZORPAY_PLAN_ID, and `plans sync` run once
    (synced,) = await plans_sync(settings)
    plans = PlanResolver({}, auto_sync=False)
    pro, price = pro_monthly(services)

    # when Pro is to be sold
    found = await plans.for_sale(services.billing.gateway, pro, price, services.billing.now())

    # then it is sold through the plan the sync linked
    assert found == synced["plan_id"]
    assert await RazorpayPlanLink.find_all().count() == 1


async def test_a_price_change_makes_a_new_razorpay_plan_and_subscribers_keep_theirs(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a Pro subscriber at ₹100 a month
    subscription_id = await become_pro(client, sandbox)
    before = (await sandbox.subscription(subscription_id))["plan_id"]
    gateway, now = services.billing.gateway, services.billing.now()

    # when Pro's price becomes ₹150 and the catalog is synced
    pro, dearer = pro_monthly(services, amount=15_000)
    new_plan = await sync_price(gateway, pro, dearer, now)

    # then ₹150 has a Razorpay plan of its own, the old price keeps its plan, and so does the
    # subscriber
    assert new_plan != before
    assert (await gateway.fetch_plan(new_plan)).amount == 15_000
    assert await sync_price(gateway, *pro_monthly(services), now) == before
    assert (await sandbox.subscription(subscription_id))["plan_id"] == before
    assert await sync_price(gateway, pro, dearer, now) == new_plan


@pytest.mark.parametrize("name", list(CATALOGS))
async def test_the_beta_override_opens_every_feature_limit_and_level_to_signed_in_users(
    name: str, settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given a service in beta (BETA_OVERRIDE) on this catalog
    beta = own_app(settings, tmp_path / "beta", policy_dir=CATALOGS[name], beta_override=True)
    async with beta as app:
        # when a user who never paid asks what they may use
        data = (await call(app.client, ENTITLEMENTS))["entitlements"]
        limit = "chats" if name == "pro-brief" else "projects"
        lots = await can_use(app.client, limit, q=1000)
        anonymous = (await app.client.post("/graphql", json={"query": ENTITLEMENTS})).json()

    # then everything is open, and says why
    top = load_catalog(CATALOGS[name]).plans[-1]
    assert data["plan"] == {"code": top.code, "name": top.name}
    assert data["reason"] == "beta"
    assert all(f["allowed"] for f in data["features"])
    assert all(x["unlimited"] for x in data["limits"])
    assert all(level["above"] == [] for level in data["levels"])
    assert lots["allowed"] is True
    # and a caller without a token is still refused
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
