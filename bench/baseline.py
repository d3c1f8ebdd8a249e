"""The baselines: a bare Starlette app doing the least work the service's two hot paths need, on
the same database, served by uvicorn with the same settings.

- `POST /graphql` (for `canUse`): verifies the same JWT with PyJWT, then the same two indexed
  reads the service does (the user by subject, then their newest grant) and answers JSON.
- `POST /webhooks/razorpay`: verifies the HMAC over the raw body and inserts one document keyed
  by the event id (a duplicate is acknowledged too).

    python -m bench.baseline   # MONGODB_URI, MONGODB_DB, JWT_SECRET, RAZORPAY_WEBHOOK_SECRET, PORT
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import jwt
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

COLLECTION = "baseline_webhook_events"


def create_baseline() -> Starlette:
    secret = os.environ["JWT_SECRET"]
    webhook_secret = os.environ["RAZORPAY_WEBHOOK_SECRET"].encode()
    state: dict[str, Any] = {}

    async def can_use(request: Request) -> JSONResponse:
        _, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["sub"]})
        except jwt.PyJWTError:
            return JSONResponse({"errors": [{"message": "unauthenticated"}]}, 401)
        json.loads(await request.body())
        database = state["database"]
        user = await database.users.find_one({"subject": claims["sub"]})
        grant = None
        if user is not None:
            grant = await database.subscriptions.find_one(
                {"user_id": user["_id"], "access_until": {"$ne": None}},
                sort=[("access_until", -1)],
            )
        allowed = bool(grant and grant["access_until"] > datetime.now(UTC))
        return JSONResponse({"data": {"canUse": {"allowed": allowed}}})

    async def webhook(request: Request) -> JSONResponse:
        body = await request.body()
        expected = hmac.new(webhook_secret, body, hashlib.sha256).hexdigest()
        given = request.headers.get("x-razorpay-signature", "")
        if not hmac.compare_digest(expected, given):
            return JSONResponse({"error": "INVALID_SIGNATURE"}, 400)
        event_id = request.headers.get("x-razorpay-event-id", "")
        try:
            await state["database"][COLLECTION].insert_one({"_id": event_id, "body": body})
        except DuplicateKeyError:
            return JSONResponse({"status": "duplicate"})
        return JSONResponse({"status": "stored"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            os.environ["MONGODB_URI"], tz_aware=True
        )
        state["database"] = client[os.environ["MONGODB_DB"]]
        yield
        await client.close()

    return Starlette(
        routes=[
            Route("/graphql", can_use, methods=["POST"]),
            Route("/webhooks/razorpay", webhook, methods=["POST"]),
            Route("/readyz", lambda request: JSONResponse({"status": "ok"}), methods=["GET"]),
        ],
        lifespan=lifespan,
    )


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(
        "bench.baseline:create_baseline",
        factory=True,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        access_log=False,
        log_level="warning",
    )
