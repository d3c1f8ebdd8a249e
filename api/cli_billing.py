"""What a command run beside the service needs to act on its billing: its database and Razorpay.

The embedded database listens on a port of its own choosing: `serve` writes its address into
DATA_DIR (`publish_embedded_uri`) for the commands to find. Without keys, Razorpay is the sandbox
the running service serves, at its address, with its clock.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from beanie import init_beanie
from pymongo import AsyncMongoClient

from api.billing.catalog import PRO
from api.billing.deps import Billing
from api.billing.plans import PlanResolver
from api.catalog.load import load_catalog
from api.clock import Clock, MovableClock, SystemClock
from api.documents import DOCUMENTS
from api.gateway.client import RazorpayGateway
from api.indexes import ensure_indexes
from api.private_files import FILE_MODE, private_dir
from api.razorpay_wiring import gateway_for, sandbox_required
from api.settings import ConfigurationError, Settings

EMBEDDED_URI_FILE = "uri"  # in DATA_DIR/db, while `serve` runs the embedded database


def publish_embedded_uri(settings: Settings, uri: str) -> None:
    """Rewritten at each start (the port changes); owner-only, as everything under DATA_DIR."""
    path = private_dir(_db_dir(settings)) / EMBEDDED_URI_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(uri)


def _db_dir(settings: Settings) -> Path:
    return settings.data_dir / "db"


def _database_uri(settings: Settings) -> str:
    if settings.mongodb_uri is not None:
        return settings.mongodb_uri
    published = _db_dir(settings) / EMBEDDED_URI_FILE
    if not published.exists():
        raise ConfigurationError(
            "No database: set MONGODB_URI, or start the service (`python -m api serve`) with "
            "this DATA_DIR, whose embedded database this command then uses."
        )
    return published.read_text().strip()


@asynccontextmanager
async def billing_of(settings: Settings) -> AsyncIterator[Billing]:
    """The service's billing, with its database bound, for the length of a command."""
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        _database_uri(settings), tz_aware=True, serverSelectionTimeoutMS=5000
    )
    gateway, clock, key_id = _razorpay(settings)
    try:
        database = mongo[settings.mongodb_db]
        await init_beanie(database=database, document_models=DOCUMENTS, skip_indexes=True)
        await ensure_indexes(database, DOCUMENTS)
        configured = {PRO.code: settings.razorpay_plan_id} if settings.razorpay_plan_id else {}
        yield Billing(
            gateway=gateway,
            clock=clock,
            key_id=key_id,
            grace=timedelta(days=settings.grace_days),
            plans=PlanResolver(configured, auto_sync=settings.uses_sandbox),
            catalog=load_catalog(settings.policy_dir),
        )
    finally:
        await gateway.aclose()
        await mongo.close()


def _razorpay(settings: Settings) -> tuple[RazorpayGateway, Clock, str]:
    if not settings.uses_sandbox:
        assert settings.razorpay_key_id and settings.razorpay_key_secret
        secret = settings.razorpay_key_secret.get_secret_value()
        base_url = settings.razorpay_base_url
        gateway = gateway_for(settings, settings.razorpay_key_id, secret, base_url)
        return gateway, SystemClock(), settings.razorpay_key_id
    with sandbox_required():
        from razorpay_sandbox import load_or_create_credentials
    credentials = load_or_create_credentials(settings.data_dir)
    url = settings.sandbox_url or f"http://{settings.public_host}:{settings.port}/sandbox"
    clock = _sandbox_clock(url, (credentials.key_id, credentials.key_secret))
    gateway = gateway_for(settings, credentials.key_id, credentials.key_secret, url)
    return gateway, clock, credentials.key_id


def _sandbox_clock(url: str, auth: tuple[str, str]) -> Clock:
    """The sandbox's time (moved ahead by `sandbox advance`), which the service judges by."""
    try:
        answer = httpx.get(f"{url}/control/clock", auth=auth, timeout=5)
        answer.raise_for_status()
    except httpx.HTTPError as error:
        raise ConfigurationError(
            f"The sandbox does not answer at {url} ({error}): start the service first."
        ) from error
    return MovableClock(timedelta(seconds=float(answer.json()["offset_seconds"])))
