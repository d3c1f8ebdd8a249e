"""The reference web app on the workspace-tier catalog (an app of its own, served with
POLICY_DIR=examples/catalogs/workspace-tiers) in headless Chromium: the pricing page with its
four tiers and the yearly toggle, and a free user buying a tier from it through Checkout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Locator, Page, expect

from api.services import Services
from api.settings import Settings
from tests.billing_calls import call, confirm, start_upgrade
from tests.browser import chromium
from tests.own_app import OwnApp, own_app
from tests.policy_files import POLICIES
from tests.test_metrics import Samples, scrape, value
from tests.test_web_app_browser import DESKTOP, PHONE, WAIT_MS, dialog, sidebar, sign_in, snap
from tests.web_build import require_web_build

pytestmark = pytest.mark.asyncio(loop_scope="session")

TIERS = POLICIES.parent / "examples" / "catalogs" / "workspace-tiers"


@pytest_asyncio.fixture
async def tiers(settings: Settings, services: Services, tmp_path: Path) -> AsyncIterator[OwnApp]:
    """An app serving the tier catalog, with its own sandbox, on the emptied database."""
    require_web_build()
    async with own_app(settings, tmp_path / "tiers", policy_dir=TIERS) as app:
        yield app


@pytest_asyncio.fixture
async def page(tiers: OwnApp) -> AsyncIterator[Page]:
    async with chromium() as browser:
        opened = browser.pages[0] if browser.pages else await browser.new_page()
        opened.set_default_timeout(WAIT_MS)
        await opened.set_viewport_size(DESKTOP)
        await opened.goto(str(tiers.client.base_url))
        yield opened


def tier(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


async def test_a_free_user_picks_pro_yearly_on_the_pricing_page_and_the_page_marks_it(
    page: Page, tiers: OwnApp
) -> None:
    before = await scrape(tiers.client)
    # given a free user on the tier catalog: the sidebar's upgrade button opens the plans
    await sign_in(page, "tiers-web-1@example.com")
    await sidebar(page).get_by_role("button", name="Upgrade", exact=True).click()

    # then the pricing page shows the four tiers, monthly, Free marked as the current plan
    await expect(page.get_by_role("heading", name="Plans", level=1)).to_be_visible()
    for name in ("Free", "Pro", "Teams", "Business"):
        await expect(tier(page, name)).to_be_visible()
    await expect(tier(page, "Free")).to_contain_text("Current plan")
    await expect(tier(page, "Pro")).to_contain_text("₹1,499/month")
    await expect(tier(page, "Pro")).to_contain_text("Projects: 5")
    await expect(tier(page, "Teams")).to_contain_text("14-day free trial")
    await expect(tier(page, "Business")).to_contain_text("Projects: unlimited")

    # when they switch to yearly, then the prices are a year's
    await page.get_by_label("Yearly").check()
    await expect(tier(page, "Pro")).to_contain_text("₹14,990/year")
    await expect(tier(page, "Teams")).to_contain_text("₹49,990/year")
    await snap(page, "pricing")
    # and on a phone's width the tiers stack, each still with its button
    await page.set_viewport_size(PHONE)
    business = tier(page, "Business")
    await expect(business.get_by_role("button", name="Choose Business")).to_be_visible()
    await snap(page, "pricing-phone")
    await page.set_viewport_size(DESKTOP)

    # when they choose Pro and pay in the sandbox's Checkout
    await tier(page, "Pro").get_by_role("button", name="Choose Pro").click()
    await expect(dialog(page)).to_contain_text("₹14,990/year")
    await dialog(page).get_by_role("button", name="Continue to payment").click()
    await page.get_by_text("Sandbox checkout for").wait_for()
    await page.get_by_role("button", name="Success", exact=True).click()

    # then the app says so, the sidebar shows Pro, and the page marks Pro as the current plan
    await expect(dialog(page).get_by_role("status")).to_have_text("You are on Pro. Thank you!")
    await dialog(page).get_by_role("button", name="Done").click()
    await expect(sidebar(page).get_by_label("Plan: Pro")).to_be_visible()
    await expect(tier(page, "Pro")).to_contain_text("Current plan")
    await expect(tier(page, "Free")).not_to_contain_text("Current plan")
    await expect(page.get_by_role("button", name="Choose Teams")).to_have_count(0)
    # and the funnel counted the pricing page once, and the choice under Pro
    after = await scrape(tiers.client)
    assert moved(before, after, event="pricing_opened", plan="none") == 1
    assert moved(before, after, event="plan_selected", plan="pro") == 1


def moved(before: Samples, after: Samples, *, event: str, plan: str) -> float:
    def count(samples: Samples) -> float:
        return value(samples, "billing_funnel_events_total", event=event, plan=plan, pack="none")

    return count(after) - count(before)


async def test_a_free_user_hits_the_project_limit_sees_the_prompt_and_upgrades_from_it(
    page: Page,
) -> None:
    # given a free user on the tier catalog (one project), whose sidebar meters show none used
    await sign_in(page, "tiers-web-2@example.com")
    await expect(sidebar(page).get_by_role("region", name="Usage")).to_contain_text("Projects0/1")
    projects = page.get_by_role("main").get_by_role("group", name="Projects")
    await expect(projects).to_contain_text("0 of 1 projects")
    # (and no GitHub import on offer: this catalog does not sell it)
    importing = page.get_by_role("main").get_by_role("button", name="Import from GitHub")
    await expect(importing).to_have_count(0)

    # when they create one project, then another
    await projects.get_by_role("button", name="New project").click()
    await expect(projects).to_contain_text("1 of 1 projects")
    await expect(projects.get_by_role("alert")).to_have_count(0)
    await projects.get_by_role("button", name="New project").click()

    # then the second is refused where they asked, with the plan that allows more
    prompt = projects.get_by_role("alert")
    await expect(prompt).to_contain_text("You have used all 1 projects of your plan.")
    await expect(prompt).to_contain_text("Pro allows more, from ₹1,499/month.")
    await expect(sidebar(page).get_by_role("region", name="Usage")).to_contain_text("Projects1/1")
    await expect(projects.get_by_role("button", name="New project")).to_be_enabled()
    await snap(page, "limit-prompt")

    # when they upgrade from the prompt and pay
    await prompt.get_by_role("button", name="Upgrade to Pro").click()
    await expect(dialog(page)).to_contain_text("₹1,499/month")
    await dialog(page).get_by_role("button", name="Continue to payment").click()
    await page.get_by_text("Sandbox checkout for").wait_for()
    await page.get_by_role("button", name="Success", exact=True).click()
    await expect(dialog(page).get_by_role("status")).to_have_text("You are on Pro. Thank you!")
    await dialog(page).get_by_role("button", name="Done").click()

    # then the prompt is gone and the meter shows Pro's five projects, without a reload
    await expect(projects.get_by_role("alert")).to_have_count(0)
    await expect(projects).to_contain_text("1 of 5 projects")
    await projects.get_by_role("button", name="New project").click()
    await expect(projects).to_contain_text("2 of 5 projects")


async def buy_from_pricing(page: Page, plan: str) -> None:
    """From the plans page, a free user buys `plan` monthly through the sandbox's Checkout."""
    await sidebar(page).get_by_role("link", name="Plans").click()
    await tier(page, plan).get_by_role("button", name=f"Choose {plan}").click()
    await dialog(page).get_by_role("button", name="Continue to payment").click()
    await page.get_by_text("Sandbox checkout for").wait_for()
    await page.get_by_role("button", name="Success", exact=True).click()
    await expect(dialog(page).get_by_role("status")).to_have_text(f"You are on {plan}. Thank you!")
    await dialog(page).get_by_role("button", name="Done").click()


async def test_a_pro_user_moves_up_to_teams_now_then_takes_back_a_move_down(page: Page) -> None:
    # given a user on Pro, monthly
    await sign_in(page, "tiers-web-3@example.com")
    await buy_from_pricing(page, "Pro")
    await expect(tier(page, "Pro")).to_contain_text("Current plan")

    # when they switch to Teams, the modal says it starts now with the difference prorated
    await tier(page, "Teams").get_by_role("button", name="Switch to Teams").click()
    await expect(dialog(page).get_by_label("Now")).to_be_checked()
    await expect(dialog(page)).to_contain_text("Teams starts now.")
    await expect(dialog(page)).to_contain_text("prorated")
    await snap(page, "plan-change")
    # and they confirm, and pay the new plan in Checkout (a domestic card: a new subscription)
    await dialog(page).get_by_role("button", name="Change to Teams").click()
    await page.get_by_text("Sandbox checkout for").wait_for()
    await page.get_by_role("button", name="Success", exact=True).click()

    # then they are on Teams at once
    await expect(dialog(page).get_by_role("status")).to_have_text("You are on Teams.")
    await dialog(page).get_by_role("button", name="Done").click()
    await expect(sidebar(page).get_by_label("Plan: Teams")).to_be_visible()
    await expect(tier(page, "Teams")).to_contain_text("Current plan")

    # when they ask to move down to Pro, which waits for the period's end, and close Checkout
    await tier(page, "Pro").get_by_role("button", name="Switch to Pro").click()
    await expect(dialog(page).get_by_label("At the end of this period")).to_be_checked()
    await expect(dialog(page)).to_contain_text("You keep Teams until")
    await dialog(page).get_by_role("button", name="Change to Pro").click()
    await page.get_by_text("Sandbox checkout for").wait_for()
    await page.locator("button", has_text="Close").click()
    await expect(dialog(page).get_by_role("status")).to_contain_text("still on Teams")

    # then they can take the change back, and stay on Teams
    await dialog(page).get_by_role("button", name="Cancel the change").click()
    await expect(dialog(page).get_by_role("status")).to_have_text(
        "The change is taken back: you stay on Teams."
    )
    await dialog(page).get_by_role("button", name="Done").click()
    await expect(tier(page, "Teams")).to_contain_text("Current plan")


async def test_a_move_down_to_free_says_it_waits_for_the_period_end_and_is_final(
    page: Page,
) -> None:
    # given a user on Pro, monthly
    await sign_in(page, "tiers-web-6@example.com")
    await buy_from_pricing(page, "Pro")

    # when they switch to Free, the modal offers no timing: Free follows the paid period
    await tier(page, "Free").get_by_role("button", name="Switch to Free").click()
    await expect(dialog(page)).to_contain_text("You keep Pro until")
    await expect(dialog(page)).to_contain_text("Once made, this cannot be taken back.")
    await expect(dialog(page).get_by_label("Now")).to_have_count(0)
    await dialog(page).get_by_role("button", name="Change to Free").click()

    # then it says when Free applies, that Pro stays until then, and offers no way back
    result = dialog(page).get_by_role("status")
    await expect(result).to_contain_text("Free applies on")
    await expect(result).to_contain_text("until then you keep Pro, and nothing more is charged.")
    await expect(dialog(page).get_by_role("button", name="Cancel the change")).to_have_count(0)
    await dialog(page).get_by_role("button", name="Done").click()
    await expect(sidebar(page).get_by_label("Plan: Pro")).to_be_visible()


PLAN_CHANGE = """mutation($plan: String!, $key: String!) {
  changePlan(plan: $plan, idempotencyKey: $key) { __typename ... on PlanChange { state } } }"""


async def on_teams_by_international_card(app: OwnApp, user: str) -> None:
    """A user paying Teams with a card Razorpay can update: a change down is scheduled on the
    subscription itself (not a new subscription through Checkout)."""
    checkout = await start_upgrade(app.client, user=user)
    handler = await app.sandbox.pay(checkout["subscriptionId"], international=True)
    await confirm(app.client, handler, user=user)
    await app.sandbox.drain()
    changed = (await call(app.client, PLAN_CHANGE, user=user, plan="teams"))["changePlan"]
    assert changed == {"__typename": "PlanChange", "state": "APPLIED"}


async def test_a_scheduled_downgrade_shows_after_a_reload_and_can_be_taken_back(
    page: Page, tiers: OwnApp
) -> None:
    # given a user on Teams who schedules a move down to Pro for the period's end
    await on_teams_by_international_card(tiers, "tiers-web-4")
    await sign_in(page, "tiers-web-4@example.com")
    await sidebar(page).get_by_role("link", name="Plans").click()
    await tier(page, "Pro").get_by_role("button", name="Switch to Pro").click()
    await dialog(page).get_by_role("button", name="Change to Pro").click()
    await expect(dialog(page).get_by_role("status")).to_contain_text("Pro applies on")
    await dialog(page).get_by_role("button", name="Done").click()

    # when the page is loaded again
    await page.reload()

    # then the plans page and the billing page both show the change in flight
    pending = page.get_by_role("region", name="Plan change")
    await expect(pending).to_contain_text("Moving to Pro on")
    await expect(tier(page, "Teams")).to_contain_text("Current plan")
    await sidebar(page).get_by_role("link", name="Billing").click()
    await expect(pending).to_contain_text("Moving to Pro on")
    await snap(page, "pending-plan-change")

    # when they cancel the change there
    await pending.get_by_role("button", name="Cancel the change").click()

    # then it is taken back, and stays gone after another reload; the plan is still Teams
    await expect(pending.get_by_role("status")).to_have_text(
        "The change is taken back: your plan stays."
    )
    await expect(pending).not_to_contain_text("Moving to Pro")
    await page.reload()
    await expect(page.get_by_role("heading", name="Billing", level=1)).to_be_visible()
    await expect(page.get_by_role("region", name="Payment history")).to_be_visible()
    await expect(pending).to_have_count(0)
    await expect(sidebar(page).get_by_label("Plan: Teams")).to_be_visible()


async def test_a_change_waiting_for_payment_is_paid_after_a_reload(page: Page) -> None:
    # given a user on Pro by a domestic card who moves up to Teams and closes Checkout unpaid
    await sign_in(page, "tiers-web-5@example.com")
    await buy_from_pricing(page, "Pro")
    await tier(page, "Teams").get_by_role("button", name="Switch to Teams").click()
    await dialog(page).get_by_role("button", name="Change to Teams").click()
    await page.get_by_text("Sandbox checkout for").wait_for()
    await page.locator("button", has_text="Close").click()
    await expect(dialog(page).get_by_role("status")).to_contain_text("still on Pro")
    await dialog(page).get_by_role("button", name="Done").click()

    # when the page is loaded again
    await page.reload()

    # then the change shows as waiting for payment, with a way back into Checkout
    pending = page.get_by_role("region", name="Plan change")
    await expect(pending).to_contain_text("Moving to Teams: waiting for payment.")
    await pending.get_by_role("button", name="Pay in Checkout").click()
    await page.get_by_text("Sandbox checkout for").wait_for()
    await page.get_by_role("button", name="Success", exact=True).click()

    # then it is paid and applied: the user is on Teams, and nothing is pending
    await expect(pending.get_by_role("status")).to_have_text("Paid: the change goes ahead.")
    await expect(sidebar(page).get_by_label("Plan: Teams")).to_be_visible()
    await expect(pending).not_to_contain_text("Moving to Teams")
