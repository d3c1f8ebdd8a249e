"""The reference web app (`web/`, built into WEB_APP_DIR) at `/`: its files, and its page for
every route of its own (`/billing`), so a reload or a shared link lands in the app.

Its pages carry a Content-Security-Policy that allows this origin, and Razorpay's Checkout
(its script, its frames, and what it calls) and nothing else. Only GET and HEAD: anything else
is a 404, as with no app. A path with a file extension that is not one of its files is a 404,
not the app's page.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import structlog
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

CHECKOUT = "https://checkout.razorpay.com https://api.razorpay.com"
CSP = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' {CHECKOUT}",
        f"frame-src {CHECKOUT}",
        f"connect-src 'self' {CHECKOUT} https://lumberjack.razorpay.com",
        "img-src 'self' data: https:",
        # Checkout styles its modal inline.
        "style-src 'self' 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
INDEX = "index.html"
# Vite names these by their content's hash: they never change under one name.
IMMUTABLE = "public, max-age=31536000, immutable"


class WebApp:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        response = self._response(scope["method"], scope["path"])
        await response(scope, receive, send)

    def _response(self, method: str, path: str) -> Response:
        if method not in ("GET", "HEAD"):  # a route of no one (POST /dev/token in prod)
            return PlainTextResponse("Not Found", 404)
        found = self._file(path)
        if found is not None:
            cache = IMMUTABLE if path.startswith("/assets/") else "no-cache"
            return FileResponse(found, headers={**HEADERS, "Cache-Control": cache})
        if PurePosixPath(path).suffix:  # a missing file, not a route of the app
            return PlainTextResponse("Not Found", 404)
        index = self.folder / INDEX
        return FileResponse(index, headers={**HEADERS, "Cache-Control": "no-cache"})

    def _file(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if not relative:
            return None
        candidate = (self.folder / relative).resolve()
        if not candidate.is_relative_to(self.folder) or not candidate.is_file():
            return None
        return candidate


def web_app(folder: Path) -> WebApp | None:
    """The app, or None (logged, with the remedy) when it has not been built."""
    if not (folder / INDEX).is_file():
        structlog.get_logger("web_app").warning(
            "web_app_missing", folder=str(folder), remedy="make setup (builds web/, needs npm)"
        )
        return None
    return WebApp(folder)
