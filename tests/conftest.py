"""One embedded database per test session (or MONGODB_URI), one app, empty collections per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from beanie import init_beanie
from pymongo import MongoClient
from starlette.applications import Starlette

from api.app import create_app
from api.documents import DOCUMENTS
from api.localdb import LocalDatabase
from api.services import Services
from api.settings import Settings
from tests.builders import TEST_JWT_SECRET


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
    client: MongoClient[dict[str, object]]
    with MongoClient(mongodb_uri) as client:
        client.drop_database(name)


@pytest.fixture(scope="session")
def settings(
    mongodb_uri: str, database_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return make_settings(
        mongodb_uri=mongodb_uri,
        mongodb_db=database_name,
        data_dir=tmp_path_factory.mktemp("data"),
    )


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "app_env": "dev",
        "jwt_secret": TEST_JWT_SECRET,
        "log_level": "warning",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest_asyncio.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest_asyncio.fixture
async def services(app: Starlette) -> Services:
    """The running app's services, with every collection emptied (indexes kept) for this test."""
    found: Services = app.state.services
    # Beanie binds documents process-wide; a test that built an app of its own rebound them.
    await init_beanie(database=found.database, document_models=DOCUMENTS, skip_indexes=True)
    for name in await found.database.list_collection_names():
        await found.database[name].delete_many({})
    return found


@pytest_asyncio.fixture
async def client(app: Starlette, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"
