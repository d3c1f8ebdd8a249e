"""Headless Chromium (Debian's `chromium`) driven by Playwright, which never downloads a browser.

Absent outside CI, a browser test is skipped and says what to install; in CI (`CI=true`,
where `.ci/run` installs it) its absence fails the test.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import BrowserContext, async_playwright

CHROMIUM = "chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    found = shutil.which(CHROMIUM)
    if found is not None:
        return found
    reason = "no `chromium` on PATH: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@asynccontextmanager
async def chromium() -> AsyncIterator[BrowserContext]:
    """A fresh browser profile, closed with the block."""
    executable = chromium_path()
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                profile,
                executable_path=executable,
                args=list(FLAGS),
                headless=True,
                viewport={"width": 1280, "height": 800},
            )
            try:
                yield context
            finally:
                await context.close()
