"""Cross-origin calls from a web app on another origin (`CORS_ORIGINS`), to `/graphql` and, in
development, to the sandbox's public Checkout endpoints.

Placed outside every route, so a preflight is answered before authentication and the anonymous
budget see it (a preflight carries no token: it would get 401, or spend the caller's budget).
Tokens travel in the Authorization header, which the page sets itself: no cookies, so no
`allow_credentials` (with it, a browser would also send cookies it holds for this host).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

GRAPHQL_PATHS = ("/graphql",)
# What `checkout.js` (loaded from /sandbox) fetches from the page's origin.
SANDBOX_CHECKOUT_PATHS = (
    "/sandbox/checkout.js",
    "/sandbox/v1/checkout.js",
    "/sandbox/checkout",
    "/sandbox/checkout/pay",
)
# How long a browser may reuse a preflight's answer. Chromium caps it at 2 hours; 10 minutes lets
# a changed CORS_ORIGINS take effect soon, at one small OPTIONS request per 10 minutes per page.
PREFLIGHT_MAX_AGE_S = 600


class ScopedCors:
    """CORS for these paths only; every other path (webhooks, health, the sandbox's REST API)
    stays same-origin."""

    def __init__(self, app: ASGIApp, *, origins: Sequence[str], paths: Sequence[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After", "WWW-Authenticate"],
            allow_credentials=False,
            max_age=PREFLIGHT_MAX_AGE_S,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self.paths:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
