"""Liveness (the process answers) and readiness (the database answers).

Readiness also shows the Razorpay circuit breaker's state, but does not depend on it: Razorpay
is shared by every instance, so pulling this one out of rotation would not help, and reads and
webhooks still work while it is open. Likewise the webhook backlog (events acknowledged by this
process and not applied yet): a burst leaves one, and the process is no less ready for it.
In prod the body names states only; the reason a database ping failed (which can name its
address) is shown in dev alone.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from pymongo.asynchronous.database import AsyncDatabase
from starlette.requests import Request
from starlette.responses import JSONResponse

from api.services import Services

READINESS_TIMEOUT_S = 2.0


class DatabaseState(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    failure = await _ping(services.database)
    body: dict[str, str | int] = {
        "status": "ok" if failure is None else "unavailable",
        "database": DatabaseState.OK if failure is None else DatabaseState.UNAVAILABLE,
        "razorpay": services.billing.gateway.breaker_state.value,
        "webhookBacklog": services.applier.backlog,
    }
    if failure is not None and not services.settings.is_prod:
        body["reason"] = failure
    return JSONResponse(body, 200 if failure is None else 503)


async def _ping(database: AsyncDatabase[dict[str, object]]) -> str | None:
    """None when the database answers; otherwise why not."""
    try:
        # A bound of our own, shorter than DATABASE_TIMEOUT_SECONDS may be: probes time out.
        async with asyncio.timeout(READINESS_TIMEOUT_S):
            await database.command("ping")
    except Exception as error:  # any failure means "not ready"
        return str(error)[:200] or type(error).__name__
    return None
