"""A sandbox mounted under /sandbox as the service mounts it, with a webhook receiver on the same
uvicorn server. The session fixture uses one; a test that needs other delivery timings runs its
own with `serve_sandbox(data_dir, **config_changes)`."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route

from razorpay_sandbox import (
    SandboxConfig,
    SandboxCredentials,
    create_sandbox,
    load_or_create_credentials,
)
from razorpay_sandbox.tests.builders import Env, MovedClock
from razorpay_sandbox.tests.receiver import Receiver
from razorpay_sandbox.tests.server import loopback_socket, port_of, serving


def fast_config(credentials: SandboxCredentials, port: int) -> SandboxConfig:
    """Tiny retry delays, so retried deliveries finish within a drain."""
    return SandboxConfig(
        credentials=credentials,
        webhook_url=f"http://127.0.0.1:{port}/hooks",
        retry_backoff_base=0.01,
        retry_backoff_max=0.05,
        max_attempts=4,
        delivery_timeout=2.0,
        tick_seconds=None,
    )


@contextmanager
def serve_sandbox(data_dir: Path, **config_changes: Any) -> Iterator[Env]:
    sock = loopback_socket()
    receiver = Receiver()
    config = fast_config(load_or_create_credentials(data_dir), port_of(sock))
    config = dataclasses.replace(config, **config_changes)
    clock = MovedClock()
    sandbox = create_sandbox(config, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Starlette does not run a mounted app's lifespan: the parent starts the sandbox.
        await sandbox.start()
        yield
        await sandbox.stop()

    root = Starlette(
        routes=[
            Mount("/sandbox", app=sandbox.app),
            Route("/hooks", receiver.handle, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    with serving(root, sock) as port:
        yield Env(
            base_url=f"http://127.0.0.1:{port}/sandbox",
            port=port,
            credentials=config.credentials,
            data_dir=data_dir,
            clock=clock,
            receiver=receiver,
        )
