"""Apps of a test's own: served like the session's, with settings the session's app does not have.

Each has its own sandbox (credentials and state under its own data dir), clock and port, on the
session's database, so nothing a test changes here reaches the shared app.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.app import create_app
from api.clock import MovableClock
from api.settings import Settings
from tests.conftest import TEST_SANDBOX, make_settings
from tests.sandbox_driver import SandboxDriver
from tests.serving import serving
from tests.signed_webhooks import settled


@dataclass(frozen=True)
class OwnApp:
    client: httpx.AsyncClient
    sandbox: SandboxDriver


@asynccontextmanager
async def own_app(session: Settings, data_dir: Path, **settings: object) -> AsyncIterator[OwnApp]:
    """An app with its own sandbox and `settings`, on the session's database."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        own = make_settings(
            mongodb_uri=session.mongodb_uri,
            mongodb_db=session.mongodb_db,
            data_dir=data_dir,
            port=port,
            **settings,
        )
        application = create_app(own, clock=MovableClock(), sandbox_overrides=TEST_SANDBOX)
        async with (
            serving(application, listener),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
        ):

            async def applied() -> None:
                # Its sandbox's `drain` waits until this app has applied what it acknowledged
                # (it applies webhooks after answering them), as the session app's does.
                await settled(application.state.services)

            yield OwnApp(http, SandboxDriver.for_data_dir(http, data_dir, applied=applied))
