"""recordFunnelEvent: a step of the upgrade funnel counted in /metrics, per catalog plan or pack,
and nothing counted for a label the catalog does not know."""

from __future__ import annotations

import httpx
import pytest

from tests.billing_calls import call
from tests.builders import graphql, token
from tests.test_metrics import scrape, total, value

pytestmark = pytest.mark.asyncio(loop_scope="session")

FUNNEL = "billing_funnel_events_total"
RECORD = (
    "mutation($e: FunnelEvent!, $plan: String, $pack: String)"
    " { recordFunnelEvent(event: $e, plan: $plan, pack: $pack) }"
)


async def test_each_funnel_step_moves_its_counter_for_its_plan_or_pack(
    client: httpx.AsyncClient,
) -> None:
    # given what /metrics says before
    before = await scrape(client)

    # when the app reports a journey for Pro, a pack chosen, and an anonymous pricing view
    for event in ("PRICING_OPENED", "PLAN_SELECTED", "CHECKOUT_OPENED", "PAYMENT_SUCCEEDED"):
        plan = None if event == "PRICING_OPENED" else "pro"
        data = await call(client, RECORD, user="funnel-1", e=event, plan=plan)
        assert data == {"recordFunnelEvent": True}
    await call(client, RECORD, user="funnel-1", e="PACK_SELECTED", pack="credits_10")
    anonymous = await graphql(client, RECORD, variables={"e": "PRICING_OPENED"})
    assert anonymous.json() == {"data": {"recordFunnelEvent": True}}

    # then each counter moved by what was reported, under its plan or pack
    after = await scrape(client)

    def moved(event: str, plan: str = "none", pack: str = "none") -> float:
        labels = {"event": event, "plan": plan, "pack": pack}
        return value(after, FUNNEL, **labels) - value(before, FUNNEL, **labels)

    assert moved("pricing_opened") == 2
    assert moved("plan_selected", plan="pro") == 1
    assert moved("checkout_opened", plan="pro") == 1
    assert moved("payment_succeeded", plan="pro") == 1
    assert moved("pack_selected", pack="credits_10") == 1


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"e": "PLAN_SELECTED", "plan": "enterprise-<script>"}, "plan"),
        ({"e": "PACK_SELECTED", "pack": "credits_999"}, "pack"),
        ({"e": "PLAN_SELECTED"}, "plan"),
        ({"e": "CHECKOUT_OPENED", "plan": "pro", "pack": "credits_10"}, "pack"),
    ],
)
async def test_a_label_outside_the_catalog_is_refused_and_counts_nothing(
    client: httpx.AsyncClient, variables: dict[str, str], argument: str
) -> None:
    # given what /metrics says before
    before = await scrape(client)

    # when the app (or anyone) reports a step with a plan or pack the catalog lacks
    response = await graphql(client, RECORD, variables=variables, bearer=token(sub="funnel-2"))

    # then it is refused, naming the argument, and no funnel counter moved
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert total(await scrape(client), FUNNEL) == total(before, FUNNEL)
