"""An app under uvicorn on a socket bound before it is built, for as long as a block runs."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.applications import Starlette


@asynccontextmanager
async def serving(application: Starlette, listener: socket.socket) -> AsyncIterator[None]:
    """`application` served on `listener`, its lifespan run, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(application, lifespan="on", log_level="warning"))
    running = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if running.done():
                running.result()
            await asyncio.sleep(0.01)
        yield
    finally:
        server.should_exit = True
        await running
