from __future__ import annotations

import httpx
import pytest

from api.billing.catalog import PRO
from api.billing.outcomes import FailureCode, Problem
from api.billing.plans import PlanResolver
from api.cli_plans import sync
from api.services import Services
from api.settings import Settings
from tests.billing_calls import call

pytestmark = pytest.mark.asyncio(loop_scope="session")

PLANS = (
    "{ plans { id name interval price { amount currency formatted } features { code name plan } } }"
)


async def test_plans_are_public_and_priced_from_configuration(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": PLANS})

    assert response.json()["data"]["plans"] == [
        {
            "id": "pro",
            "name": "Pro",
            "interval": "MONTH",
            "price": {"amount": 10000, "currency": "INR", "formatted": "₹100"},
            "features": [
                {"code": "PROJECTS", "name": "Projects", "plan": "FREE"},
                {"code": "GITHUB_IMPORT", "name": "GitHub import", "plan": "PRO"},
            ],
        }
    ]


async def test_syncing_the_plan_twice_creates_one_plan(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    first = await sync(settings)
    second = await sync(settings)

    assert first == second
    assert (first["amount"], first["currency"]) == (10000, "INR")


async def test_entitlements_of_a_free_user_say_what_pro_would_unlock(
    client: httpx.AsyncClient,
) -> None:
    data = await call(
        client,
        "{ entitlements { plan accessUntil features { feature allowed reason requiredPlan } } "
        'canUse(feature: "github_import") { ... on FeatureAccess { allowed reason requiredPlan } '
        "} }",
    )

    assert data["entitlements"]["plan"] == "FREE"
    assert data["entitlements"]["accessUntil"] is None
    assert data["canUse"] == {"allowed": False, "reason": "requires Pro", "requiredPlan": "PRO"}
    assert {f["feature"]: f["allowed"] for f in data["entitlements"]["features"]} == {
        "PROJECTS": True,
        "GITHUB_IMPORT": False,
    }


async def test_without_a_plan_id_upgrades_say_which_setting_to_set(services: Services) -> None:
    # given real Razorpay keys (no plan is made unasked) and no RAZORPAY_PLAN_ID
    plans = PlanResolver({}, auto_sync=False)

    # when Pro is to be sold
    found = await plans.for_sale(services.billing.gateway, PRO)

    # then the failure names the setting and where its value comes from
    assert isinstance(found, Problem)
    assert found.code is FailureCode.PLAN_NOT_CONFIGURED
    assert "set RAZORPAY_PLAN_ID" in found.message
    assert "python -m api plans sync" in found.message
