"""`/sandbox` in a worker when the sandbox runs once, beside the workers (`serve` with
WEB_CONCURRENCY > 1): every request passed on to it as it came, so its checkout pages, its REST
API and `python -m api sandbox ...` keep working at the service's address."""

from __future__ import annotations

import httpx
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

# Hop-by-hop headers, and those httpx rewrites (it has decoded the body already).
DROPPED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}
)


class SandboxProxy:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._client: httpx.AsyncClient | None = None

    @property
    def app(self) -> SandboxProxy:
        return self

    async def start(self) -> None:
        self._client = httpx.AsyncClient(base_url=self.base_url, timeout=30)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http" and self._client is not None
        request = Request(scope, receive)
        upstream = await self._client.request(
            request.method,
            get_route_path(scope) or "/",
            params=request.url.query,
            headers=[(k, v) for k, v in request.headers.items() if k.lower() not in DROPPED],
            content=await request.body(),
        )
        headers = {k: v for k, v in upstream.headers.multi_items() if k.lower() not in DROPPED}
        response = Response(upstream.content, upstream.status_code, headers=headers)
        await response(scope, receive, send)
