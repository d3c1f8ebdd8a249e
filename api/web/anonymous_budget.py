"""Anonymous callers of `/graphql` spend a per-address budget (`RATE_LIMIT_ANONYMOUS`).

Sits inside the authentication middleware: a signed-in caller passes untouched (their money
mutations have budgets of their own), and a bad token was refused with 401 before this.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.outage import SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE, is_database_outage
from api.ratelimit import Budget, Budgets
from api.web.auth import PrincipalUser


class AnonymousBudget:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not isinstance(scope.get("user"), PrincipalUser):
            budgets: Budgets = scope["app"].state.services.budgets
            client = scope.get("client")
            try:
                limited = await budgets.take(Budget.ANONYMOUS, client[0] if client else "unknown")
            except Exception as error:
                if not is_database_outage(error):
                    raise
                await unavailable()(scope, receive, send)
                return
            if limited is not None:
                await too_many(limited.retry_after)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def too_many(retry_after: int) -> JSONResponse:
    """A GraphQL-shaped 429, so GraphQL clients show it like any other error."""
    error = {
        "message": f"Too many requests: try again in {retry_after} seconds, or sign in.",
        "extensions": {"code": "RATE_LIMITED", "retryAfter": retry_after},
    }
    return JSONResponse(
        {"data": None, "errors": [error]},
        status_code=429,
        headers={"Retry-After": str(retry_after)},
    )


def unavailable() -> JSONResponse:
    """A GraphQL-shaped 503: the budget lives in the database, which cannot be reached."""
    error = {"message": UNAVAILABLE_MESSAGE, "extensions": {"code": SERVICE_UNAVAILABLE}}
    return JSONResponse({"data": None, "errors": [error]}, status_code=503)
