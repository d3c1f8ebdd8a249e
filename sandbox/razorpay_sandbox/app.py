"""Assembles a sandbox: state, clock, webhook dispatcher, routes, and the periodic due-runner."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from razorpay_sandbox import (
    routes_checkout,
    routes_control,
    routes_payments,
    routes_subscriptions,
    scheduler,
)
from razorpay_sandbox.clock import Clock
from razorpay_sandbox.config import SandboxConfig
from razorpay_sandbox.core import Core
from razorpay_sandbox.errors import url_not_found
from razorpay_sandbox.http import Call, endpoint
from razorpay_sandbox.store import Store
from razorpay_sandbox.webhooks import Dispatcher

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class Sandbox:
    """The Razorpay sandbox. Mount `.app`; call `start()`/`stop()` from the parent's lifespan."""

    def __init__(self, config: SandboxConfig, clock: Clock) -> None:
        store = Store.load(config.state_file)
        # Never behind the time a persisted sandbox had already reached.
        if store.clock_offset > clock.offset:
            clock.advance(store.clock_offset - clock.offset)
        self.config = config
        self.dispatcher = Dispatcher(config)
        self.core = Core(config, clock, store, self.dispatcher)
        self._ticker: asyncio.Task[None] | None = None
        self.app = Starlette(routes=self._routes(), lifespan=self._lifespan)

    async def start(self) -> None:
        await self.dispatcher.start()
        if self.config.tick_seconds and (self._ticker is None or self._ticker.done()):
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        await self.dispatcher.stop()
        self.core.commit()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.config.tick_seconds or 1.0)
            scheduler.catch_up(self.core)
            self.core.commit()

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    def _routes(self) -> list[BaseRoute]:
        def unknown(call: Call) -> None:
            raise url_not_found()

        core = self.core
        return [
            *routes_subscriptions.routes(core),
            *routes_payments.routes(core),
            *routes_control.routes(core, self.dispatcher),
            *routes_checkout.routes(core),
            # Razorpay answers an unknown URL or method with 400, in its error format.
            Route("/{path:path}", endpoint(core, unknown), methods=ALL_METHODS),
        ]


def create_sandbox(config: SandboxConfig, clock: Clock) -> Sandbox:
    return Sandbox(config, clock)
