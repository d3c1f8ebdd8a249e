"""Liveness (the process answers) and readiness (the database answers)."""

from __future__ import annotations

import asyncio

from pymongo.asynchronous.database import AsyncDatabase
from starlette.requests import Request
from starlette.responses import JSONResponse

READINESS_TIMEOUT_S = 2.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    database: AsyncDatabase[dict[str, object]] = request.app.state.services.database
    try:
        # A bound of our own: server selection alone would wait 30 s for a dead database.
        async with asyncio.timeout(READINESS_TIMEOUT_S):
            await database.command("ping")
    except Exception as error:  # any failure means "not ready", and says why
        return JSONResponse(
            {"status": "unavailable", "database": str(error)[:200] or type(error).__name__}, 503
        )
    return JSONResponse({"status": "ok", "database": "ok"})
