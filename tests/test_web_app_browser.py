"""The reference web app in headless Chromium, against the running service, the sandbox's
Checkout and the embedded database: the upgrade journey, a failed and a dismissed checkout, and
cancelling at period end. Its screenshots go to tests/screenshots/ (git-ignored); with
UPDATE_SCREENSHOTS=1 to docs/screenshots/, the README's, so a test run leaves the tree as it was."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Locator, Page, ViewportSize, expect

from api.settings import Settings
from tests.browser import chromium
from tests.sandbox_driver import SandboxDriver
from tests.web_build import require_web_build

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCREENSHOTS = (
    Path(__file__).parent.parent / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(__file__).parent / "screenshots"
)
DESKTOP = ViewportSize(width=1000, height=620)
PHONE = ViewportSize(width=375, height=700)
WAIT_MS = 15_000


@pytest_asyncio.fixture
async def page(
    settings: Settings, client: httpx.AsyncClient, sandbox: SandboxDriver
) -> AsyncIterator[Page]:
    require_web_build()
    async with chromium() as browser:
        opened = browser.pages[0] if browser.pages else await browser.new_page()
        opened.set_default_timeout(WAIT_MS)
        await opened.set_viewport_size(DESKTOP)
        await opened.goto(f"http://127.0.0.1:{settings.port}/")
        yield opened


async def sign_in(page: Page, email: str, *, shot: str | None = None) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Role").select_option("free")
    if shot:
        await snap(page, shot)
    await page.get_by_role("button", name="Sign in").click()


def sidebar(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def dialog(page: Page) -> Locator:
    return page.get_by_role("dialog")


def sandbox_checkout(page: Page) -> Locator:
    """The sandbox's Checkout overlay (not a dialog of the app's)."""
    return page.locator("div", has=page.get_by_text("Sandbox checkout for")).last


async def open_checkout(page: Page) -> str:
    """From the upgrade modal to the sandbox's Checkout; the subscription it is for."""
    await dialog(page).get_by_role("button", name="Continue to payment").click()
    label = page.get_by_text("Sandbox checkout for")
    await label.wait_for()
    return (await label.inner_text()).rsplit(" ", 1)[-1]


async def pay(page: Page) -> None:
    await sidebar(page).get_by_role("button", name="Upgrade to Pro").click()
    await open_checkout(page)
    await page.get_by_role("button", name="Success", exact=True).click()
    await expect(dialog(page).get_by_role("status")).to_have_text("You are on Pro. Thank you!")


async def snap(page: Page, name: str) -> None:
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


async def test_a_free_user_upgrades_and_the_gate_opens_without_a_reload(page: Page) -> None:
    # given a free user, signed in through the dev sign-in page
    await sign_in(page, "free-1@example.com", shot="sign-in")
    # then the sidebar offers Pro, and the import dialog shows the upgrade prompt, not its form
    await expect(sidebar(page).get_by_role("button", name="Upgrade to Pro")).to_be_visible()
    opener = page.get_by_role("button", name="Import from GitHub")
    await opener.click()
    await expect(dialog(page).get_by_text("GitHub import is a Pro feature.")).to_be_visible()
    await expect(dialog(page).get_by_label("Repository URL")).to_have_count(0)
    await snap(page, "import-gate")
    # and Escape closes it, giving the focus back to what opened it
    await page.keyboard.press("Escape")
    await expect(dialog(page)).to_have_count(0)
    await expect(opener).to_be_focused()
    # and on a phone's width the upgrade button is still there
    await page.set_viewport_size(PHONE)
    await expect(sidebar(page).get_by_role("button", name="Upgrade to Pro")).to_be_visible()
    await snap(page, "phone")
    await page.set_viewport_size(DESKTOP)

    # when they upgrade from the gate and pay in the sandbox's Checkout
    await opener.click()
    await dialog(page).get_by_role("button", name="Upgrade to Pro").click()
    await open_checkout(page)
    await snap(page, "checkout")
    await page.get_by_role("button", name="Success", exact=True).click()

    # then the app shows Pro at once, and the import form is there, without a reload
    await expect(dialog(page).get_by_role("status")).to_have_text("You are on Pro. Thank you!")
    await expect(sidebar(page).get_by_label("Plan: Pro")).to_be_visible()
    await expect(sidebar(page).get_by_role("button", name="Upgrade to Pro")).to_have_count(0)
    await dialog(page).get_by_role("button", name="Done").click()
    await opener.click()
    await dialog(page).get_by_label("Repository URL").fill("https://github.com/octocat/Hello-World")
    await dialog(page).get_by_role("button", name="Import").click()
    await expect(dialog(page).get_by_role("status")).to_have_text(
        "Import of octocat/Hello-World is queued."
    )
    await snap(page, "pro")


async def test_a_failed_then_dismissed_checkout_leaves_the_user_free(page: Page) -> None:
    # given a free user in Checkout
    await sign_in(page, "free-2@example.com")
    await sidebar(page).get_by_role("button", name="Upgrade to Pro").click()
    first = await open_checkout(page)

    # when the payment fails, then the app says so, with the reason
    await page.get_by_role("button", name="Failure", exact=True).click()
    failed = dialog(page).get_by_role("alert")
    await expect(failed).to_have_text(
        "Payment failed: Your payment has been declined by your bank."
    )

    # when they close Checkout, then try again, the same checkout opens
    await page.locator("button", has_text="Close").click()
    await expect(failed).to_be_visible()  # closing after a failure keeps its reason
    await snap(page, "checkout-failed")
    await dialog(page).get_by_role("button", name="Try again").click()
    await expect(page.get_by_text("Sandbox checkout for")).to_have_count(1)
    second = await open_checkout_again(page)
    assert second == first

    # when they close it without paying, then the app says nothing was charged
    await page.locator("button", has_text="Close").click()
    await expect(dialog(page).get_by_role("status")).to_contain_text("Nothing was charged")
    # and the user is still free
    await page.keyboard.press("Escape")
    await expect(sidebar(page).get_by_role("button", name="Upgrade to Pro")).to_be_visible()


async def open_checkout_again(page: Page) -> str:
    label = page.get_by_text("Sandbox checkout for")
    await label.wait_for()
    return (await label.inner_text()).rsplit(" ", 1)[-1]


async def test_a_pro_user_cancels_at_period_end_and_keeps_pro(page: Page) -> None:
    # given a Pro user on the billing page
    await sign_in(page, "pro-1@example.com")
    await pay(page)
    await dialog(page).get_by_role("button", name="Done").click()
    await sidebar(page).get_by_role("link", name="Billing").click()
    card = page.get_by_role("region", name="Subscription")
    await expect(card).to_contain_text("active")
    history = page.get_by_role("region", name="Payment history")
    await expect(history.get_by_text("₹100")).to_be_visible()
    await snap(page, "billing")

    # when they cancel at period end, and confirm
    await card.get_by_role("button", name="Cancel at period end").click()
    await expect(dialog(page)).to_contain_text("You keep Pro until the end of the period")
    await dialog(page).get_by_role("button", name="Yes, cancel").click()

    # then the page says it ends at the period's end, with no next charge, and Pro stays
    await expect(card).to_contain_text("(cancels at period end)")
    await expect(card.get_by_text("none", exact=True)).to_be_visible()
    await expect(sidebar(page).get_by_label("Plan: Pro")).to_be_visible()
    await expect(card.get_by_role("button", name="Cancel at period end")).to_have_count(0)
    await snap(page, "billing-cancelled")
    # and the theme toggle below the plan switches the page to dark
    await sidebar(page).get_by_role("button", name="Switch to dark theme").click()
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    await snap(page, "billing-dark")
