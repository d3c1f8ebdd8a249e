"""The reference web app's build (web/dist), made by `make setup`: absent outside CI, a test that
needs it is skipped and says how to build it; in CI (`CI=true`) its absence fails the test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

WEB_DIST = Path(__file__).parent.parent / "web" / "dist"


def require_web_build() -> Path:
    if (WEB_DIST / "index.html").is_file():
        return WEB_DIST
    reason = "web/dist is not built: run `make setup` (or `cd web && npm ci && npm run build`)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)
