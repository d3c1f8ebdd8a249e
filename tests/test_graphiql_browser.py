"""GraphiQL renders and runs a query in headless Chromium with nothing reachable but the service."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Page, Route

from api.settings import Settings
from tests.browser import chromium

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCREENSHOTS = Path(__file__).parent / "screenshots"  # git-ignored; Playwright makes the folder
QUERY = "{ plans { id name } }"


async def test_graphiql_runs_a_query_with_the_network_unplugged(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    # given a browser that may reach the service on loopback and nothing else
    served: list[str] = []
    attempted: list[str] = []
    async with chromium() as browser:
        page = browser.pages[0] if browser.pages else await browser.new_page()
        await page.route("**/*", lambda route: _loopback_only(route, served, attempted))

        # when GraphiQL is opened (its scripts load before `load`) and a query typed in and run
        await page.goto(f"http://127.0.0.1:{settings.port}/graphql")
        assert attempted == [], "GraphiQL fetched files from outside (run `make setup`)"
        await _type_query(page, QUERY)
        await page.click(".graphiql-execute-button")

        # then the plan shows in the result pane, and no request left the machine
        result = page.locator(".graphiql-response")
        await result.get_by_text('"name": "Pro"').wait_for(timeout=15_000)
        await page.screenshot(path=str(SCREENSHOTS / "graphiql.png"))
        shown = await result.inner_text()
    assert '"id": "pro"' in shown
    assert attempted == []
    assert sum("/graphql/assets/" in url for url in served) == 7  # the route saw every request


async def _loopback_only(route: Route, served: list[str], attempted: list[str]) -> None:
    url = route.request.url
    if urlsplit(url).scheme == "data" or urlsplit(url).hostname == "127.0.0.1":
        served.append(url)
        await route.continue_()
    else:
        attempted.append(url)
        await route.abort("internetdisconnected")


async def _type_query(page: Page, query: str) -> None:
    """Replaces the editor's text as a paste would (typed keys would get auto-closed brackets)."""
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await editor.wait_for(timeout=15_000)
    await editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(query)
