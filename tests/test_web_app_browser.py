"""The reference web app in headless Chromium, against the running service, the sandbox's
Checkout and the embedded database: the upgrade journey (and the funnel it reports), a failed and
a dismissed checkout, cancelling at period end, and refund requests decided by support in a
second browser. Its screenshots go to tests/screenshots/ (git-ignored); with
UPDATE_SCREENSHOTS=1 to docs/screenshots/, the README's, so a test run leaves the tree as it was."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Locator, Page, ViewportSize, expect

from api.settings import Settings
from tests.billing_calls import user_id
from tests.browser import chromium
from tests.builders import graphql, token
from tests.sandbox_driver import SandboxDriver
from tests.test_metrics import Samples, scrape, value
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


async def sign_in(page: Page, email: str, *, role: str = "free", shot: str | None = None) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Role").select_option(role)
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


@asynccontextmanager
async def second_browser(settings: Settings) -> AsyncIterator[Page]:
    """Another browser, with its own profile and sign-in: staff beside the user."""
    async with chromium() as browser:
        opened = browser.pages[0] if browser.pages else await browser.new_page()
        opened.set_default_timeout(WAIT_MS)
        await opened.set_viewport_size(DESKTOP)
        await opened.goto(f"http://127.0.0.1:{settings.port}/")
        yield opened


def payment_row(page: Page) -> Locator:
    return page.get_by_role("region", name="Payment history").get_by_role("listitem").first


async def request_refund(page: Page, email: str, reason: str, *, shot: str | None = None) -> None:
    """A new Pro user asks for a refund of their payment from the billing page."""
    await sign_in(page, email)
    await pay(page)
    await dialog(page).get_by_role("button", name="Done").click()
    await sidebar(page).get_by_role("link", name="Billing").click()
    await payment_row(page).get_by_role("button", name="Request refund").click()
    await expect(dialog(page).get_by_label("Why would you like a refund?")).to_be_focused()
    await dialog(page).get_by_label("Why would you like a refund?").fill(reason)
    if shot:
        await snap(page, shot)
    await dialog(page).get_by_role("button", name="Send request").click()
    await expect(payment_row(page).get_by_role("status")).to_have_text(
        "Refund requested · waiting for support"
    )
    await expect(payment_row(page).get_by_role("button", name="Request refund")).to_have_count(0)


async def open_request(staff: Page, email: str, reason: str) -> Locator:
    """Support signs in, opens the queue and finds this user's request."""
    await sign_in(staff, email, role="support")
    await sidebar(staff).get_by_role("link", name="Support").click()
    queue = staff.get_by_role("region", name="Refund requests")
    row = queue.get_by_role("listitem").filter(has_text=reason)
    await expect(row).to_have_count(1)
    return row


async def in_queue(staff: Page, status: str, reason: str) -> Locator:
    """The staff queue filtered to `status`, and in it the request asked for `reason`."""
    queue = staff.get_by_role("region", name="Refund requests")
    await queue.get_by_label("Status").select_option(status)
    return queue.get_by_role("listitem").filter(has_text=reason)


async def seen_again(page: Page) -> Locator:
    await page.reload()
    return payment_row(page)


async def test_support_approves_a_refund_request_and_the_user_sees_it_refunded(
    page: Page, settings: Settings, client: httpx.AsyncClient
) -> None:
    # given a Pro user who asked for a refund of their payment
    reason = "I subscribed by mistake (refund-1)."
    await request_refund(page, "refund-1@example.com", reason, shot="refund-request")

    async with second_browser(settings) as staff:
        # when support, in another browser, approves it in full, keeping access, and confirms
        row = await open_request(staff, "support-1@example.com", reason)
        await snap(staff, "staff-queue")
        await row.get_by_role("button", name="Decide").click()
        await dialog(staff).get_by_role("button", name="Review").click()
        await expect(dialog(staff)).to_contain_text("keeping their access?")
        await dialog(staff).get_by_role("button", name="Yes, refund").click()

        # then it leaves the open queue, and the user's payments show the refund
        await expect(dialog(staff)).to_have_count(0)
        queue = staff.get_by_role("region", name="Refund requests")
        await expect(queue.get_by_role("listitem").filter(has_text=reason)).to_have_count(0)
        owner = await user_id(client, user="refund-1")
        lookup = staff.get_by_role("region", name="A user's payments")
        await lookup.get_by_label("User id").fill(owner)
        await lookup.get_by_role("button", name="Show").click()
        await expect(lookup.get_by_text("Refund ₹100")).to_be_visible()

    # and the user sees it refunded, and cannot ask again for what is left (nothing)
    row = await seen_again(page)
    await expect(row.get_by_role("status")).to_have_text("Refund approved: ₹100 refunded")
    await expect(row.get_by_text("Refund ₹100")).to_be_visible()
    await expect(row.get_by_role("button", name="Request refund")).to_have_count(0)


async def test_support_rejects_a_refund_request_with_a_note_the_user_reads(
    page: Page, settings: Settings
) -> None:
    # given a Pro user who asked for a refund
    reason = "Changed my mind (refund-2)."
    await request_refund(page, "refund-2@example.com", reason)

    async with second_browser(settings) as staff:
        # when support rejects it: the note is required before it can be reviewed
        row = await open_request(staff, "support-2@example.com", reason)
        await staff.set_viewport_size(PHONE)  # the queue works on a phone's width too
        await row.get_by_role("button", name="Decide").click()
        await dialog(staff).get_by_label("Reject").check()
        await expect(dialog(staff).get_by_role("button", name="Review")).to_be_disabled()
        note = dialog(staff).get_by_label("Note to the user (required)")
        await note.fill("Refunds are for the first 7 days.")
        await snap(staff, "staff-decide-phone")
        await dialog(staff).get_by_role("button", name="Review").click()
        await dialog(staff).get_by_role("button", name="Yes, decline").click()
        await expect(dialog(staff)).to_have_count(0)

        # then the rejected filter shows it with the note
        listed = await in_queue(staff, "REJECTED", reason)
        await expect(listed).to_contain_text("Refunds are for the first 7 days.")

    # and the user reads the note, and may ask again
    row = await seen_again(page)
    await expect(row.get_by_role("status")).to_have_text(
        "Refund request declined: “Refunds are for the first 7 days.”"
    )
    await expect(row.get_by_role("button", name="Request refund")).to_be_visible()
    await snap(page, "refund-declined")


async def test_an_approval_razorpay_refuses_fails_the_request_for_staff_and_the_user(
    page: Page, settings: Settings, sandbox: SandboxDriver
) -> None:
    # given a Pro user's request, and their payment since refunded in Razorpay's Dashboard
    reason = "Refunded elsewhere (refund-3)."
    await request_refund(page, "refund-3@example.com", reason)
    payment_id = await payment_row(page).locator(".refund-slot").get_attribute("data-payment-id")
    assert payment_id is not None
    await sandbox.hold()
    await sandbox.dashboard_refund(payment_id, amount=10000)

    async with second_browser(settings) as staff:
        # when support approves it
        row = await open_request(staff, "support-3@example.com", reason)
        await row.get_by_role("button", name="Decide").click()
        await dialog(staff).get_by_role("button", name="Review").click()
        await dialog(staff).get_by_role("button", name="Yes, refund").click()

        # then Razorpay's refusal is shown, and the failed filter lists it with the reason
        await expect(dialog(staff).get_by_role("alert")).to_have_text(
            "That is more than is left to refund of this payment."
        )
        await staff.reload()
        listed = await in_queue(staff, "FAILED", reason)
        refused = "Razorpay refused the refund (REFUND_EXCEEDS_CAPTURED)"
        await expect(listed).to_contain_text(refused)

    # and the user reads why no refund was made
    row = await seen_again(page)
    await expect(row.get_by_role("status")).to_have_text(
        "Refund could not be made: Razorpay says the payment has been fully refunded already (in"
        " its Dashboard, perhaps): nothing is left to refund."
    )


async def test_a_user_who_is_not_staff_cannot_open_the_staff_view(
    page: Page, settings: Settings, client: httpx.AsyncClient
) -> None:
    # given a signed-in user who is not staff: no Support link
    await sign_in(page, "curious-1@example.com")
    await expect(sidebar(page).get_by_role("link", name="Billing")).to_be_visible()
    await expect(sidebar(page).get_by_role("link", name="Support")).to_have_count(0)

    # when they open the staff route directly
    await page.goto(f"http://127.0.0.1:{settings.port}/staff")

    # then the app says they are not allowed, and shows no queue
    await expect(page.get_by_role("alert")).to_contain_text("You are not allowed")
    await expect(page.get_by_role("region", name="Refund requests")).to_have_count(0)
    # and the API refuses the queue to them regardless
    response = await graphql(
        client,
        "{ refundRequests { edges { node { id } } } }",
        bearer=token(sub="curious-1", email="curious-1@example.com"),
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


FUNNEL = "billing_funnel_events_total"
JOURNEY = ("pricing_opened", "plan_selected", "checkout_opened", "payment_succeeded")


def funnel_moves(before: Samples, after: Samples) -> dict[str, float]:
    def plan_of(event: str) -> str:
        return "none" if event == "pricing_opened" else "pro"

    return {
        event: value(after, FUNNEL, event=event, plan=plan_of(event), pack="none")
        - value(before, FUNNEL, event=event, plan=plan_of(event), pack="none")
        for event in JOURNEY
    }


async def test_an_upgrade_journey_moves_the_funnel_counters(
    page: Page, client: httpx.AsyncClient
) -> None:
    # given what /metrics says before
    before = await scrape(client)

    # when a free user opens the upgrade offer, continues, and pays in Checkout
    await sign_in(page, "funnel-web-1@example.com")
    await pay(page)

    # then each step of the journey was counted once for Pro (the app reports them without
    # waiting, so the last one may still be on its way when the page shows success)
    wanted = dict.fromkeys(JOURNEY, 1.0)
    for _ in range(50):
        moved = funnel_moves(before, await scrape(client))
        if moved == wanted:
            break
        await page.wait_for_timeout(100)
    assert moved == wanted


async def test_a_user_buys_a_credit_pack_and_sees_the_balance(page: Page) -> None:
    # given a signed-in user with no credits
    await sign_in(page, "credits-web-1@example.com")
    await sidebar(page).get_by_role("link", name="Credits").click()
    balance = page.get_by_role("region", name="Credit balance")
    await expect(balance).to_contain_text("0 credits")
    history = page.get_by_role("region", name="Credit history")
    await expect(history).to_contain_text("No credits yet.")

    # when they choose the 50-credit pack and pay for its order in the sandbox's Checkout
    await balance.get_by_role("button", name="Buy credits").click()
    await dialog(page).get_by_label("50 credits").check()
    await expect(dialog(page).get_by_label("50 credits")).to_be_checked()
    await snap(page, "credit-packs")
    await dialog(page).get_by_role("button", name="Continue to payment").click()
    await page.get_by_text("Sandbox checkout for").wait_for()
    await page.get_by_role("button", name="Success", exact=True).click()

    # then the app says what was added, and the page shows the balance and the purchase
    await expect(dialog(page).get_by_role("status")).to_have_text(
        "Added 50 credits. Your balance is 50."
    )
    await dialog(page).get_by_role("button", name="Done").click()
    await expect(balance).to_contain_text("50 credits")
    await expect(history.get_by_role("listitem")).to_have_count(1)
    await expect(history.get_by_role("listitem")).to_contain_text("Bought · 50 credits")
    await expect(history.get_by_role("listitem")).to_contain_text("+50")
    await snap(page, "credits")
