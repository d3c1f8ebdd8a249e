"""One embedded database per session (or MONGODB_URI) and one app served over loopback HTTP.

The app runs under uvicorn on a socket bound before it is built, so the Razorpay SDK reaches the
sandbox, and the sandbox's webhooks reach the service, over real HTTP. Collections are emptied
for each test that asks for `services` or `client`.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from beanie import init_beanie
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from pymongo import MongoClient
from starlette.applications import Starlette

from api.app import create_app
from api.clock import MovableClock
from api.documents import DOCUMENTS
from api.localdb import LocalDatabase
from api.services import Services
from api.settings import Settings
from tests.builders import TEST_JWT_SECRET
from tests.sandbox_driver import SandboxDriver
from tests.serving import serving
from tests.signed_webhooks import settled

# Webhook retries within milliseconds, and charges only when a test moves the clock.
TEST_SANDBOX = {
    "retry_backoff_base": 0.05,
    "retry_backoff_max": 0.2,
    "max_attempts": 12,
    "tick_seconds": None,
}


@pytest.fixture(scope="session")
def mongodb_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("MONGODB_URI")
    if external:
        yield external
        return
    with LocalDatabase(tmp_path_factory.mktemp("db")) as uri:
        yield uri


@pytest.fixture(scope="session")
def database_name(mongodb_uri: str) -> Iterator[str]:
    name = f"billing_test_{uuid.uuid4().hex[:12]}"
    yield name
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri)
    client.drop_database(name)
    client.close()


def loopback_listener() -> socket.socket:
    """A TCP socket bound to a free loopback port, for uvicorn's `serve(sockets=...)`.

    Named IPPROTO_TCP because asyncio sets TCP_NODELAY only on sockets whose protocol says TCP
    (`socket.socket()` says 0): without it every answer, written as headers then body, waits
    ~40 ms for the client's delayed ACK, which was most of the suite's time."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
def listener() -> Iterator[socket.socket]:
    with loopback_listener() as sock:
        yield sock


@pytest.fixture(scope="session")
def settings(
    mongodb_uri: str,
    database_name: str,
    listener: socket.socket,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    return make_settings(
        mongodb_uri=mongodb_uri,
        mongodb_db=database_name,
        data_dir=tmp_path_factory.mktemp("data"),
        port=listener.getsockname()[1],
    )


class IsolatedSettings(Settings):
    """Settings from the test's arguments alone: the environment (MONGODB_URI in the
    MongoDB-server mode, a developer's RAZORPAY_* keys) must not leak into what a test checks."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "app_env": "dev",
        "jwt_secret": TEST_JWT_SECRET,
        "log_level": "warning",
        "reconcile_interval_hours": 0,  # a test runs reconciliation when it means to
    }
    values.update(overrides)
    return IsolatedSettings(**values)  # type: ignore[arg-type]


@pytest_asyncio.fixture(scope="session")
async def app(settings: Settings, listener: socket.socket) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=MovableClock(), sandbox_overrides=TEST_SANDBOX)
    async with serving(application, listener):
        yield application


async def bind_documents(services: Services) -> None:
    """Beanie binds documents process-wide; a test that built an app of its own rebound them
    (to its client, closed once that app stopped): bind them back to the running app's."""
    await init_beanie(database=services.database, document_models=DOCUMENTS, skip_indexes=True)


async def emptied(app: Starlette) -> Services:
    """The running app's services, with every collection emptied (indexes kept)."""
    found: Services = app.state.services
    await bind_documents(found)
    for name in await found.database.list_collection_names():
        await found.database[name].delete_many({})
    return found


@pytest_asyncio.fixture
async def services(app: Starlette) -> Services:
    """The running app's services, emptied for this test."""
    return await emptied(app)


@pytest_asyncio.fixture
async def client(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    base = f"http://127.0.0.1:{settings.port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        yield http


@pytest_asyncio.fixture
async def sandbox(
    client: httpx.AsyncClient, settings: Settings, services: Services
) -> AsyncIterator[SandboxDriver]:
    driver = SandboxDriver.for_data_dir(
        client, settings.data_dir, applied=lambda: settled(services)
    )
    await driver.knobs()  # every test starts with plain delivery and no REST faults
    await driver.clear_faults()
    started = await driver.now()
    yield driver
    # Nothing of this test lands in the next one (what it held is released and delivered now),
    # nor charges when a later test moves the clock. The webhooks that sends are the running
    # app's to apply, through documents bound to its database again.
    await bind_documents(services)
    await driver.knobs()
    await driver.clear_faults()
    await driver.hold_refunds(False)
    await driver.stop_charging(created_since=started)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def prod_settings(settings: Settings, tmp_path: Path) -> dict[str, object]:
    """A production service on the test database, with Razorpay keys (so no sandbox)."""
    return {
        "app_env": "prod",
        "mongodb_uri": settings.mongodb_uri,
        "mongodb_db": settings.mongodb_db,
        "data_dir": tmp_path,
        "razorpay_key_id": "rzp_test_abcdefghijklmn",
        "razorpay_key_secret": "secret",
        "razorpay_webhook_secret": "whsecret",
        "jwt_secret": "x" * 48,
    }
