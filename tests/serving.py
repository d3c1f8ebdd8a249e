"""An app served for as long as a block runs: under uvicorn on a socket bound before it is built,
or in process over ASGI, its lifespan run either way."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from asgi_lifespan import LifespanManager
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


@asynccontextmanager
async def in_process(application: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `application` over ASGI (no socket), its lifespan run, until the block ends."""
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http
