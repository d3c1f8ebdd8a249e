"""`GET /metrics`: Prometheus' text format, behind a bearer token in production.

In prod the endpoint exists only when METRICS_TOKEN is set (404 otherwise, like any unknown path)
and answers only `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). In dev it is open,
unless METRICS_TOKEN is set, which it then asks for as in prod.

With several workers each keeps its values in PROMETHEUS_MULTIPROC_DIR, and whichever worker
takes the scrape adds all of them up; alone, a process answers from its own registry.
"""

from __future__ import annotations

import os
import secrets

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


async def metrics_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.services.settings
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if token is None and settings.is_prod:
        return JSONResponse({"error": {"code": "NOT_FOUND", "message": "Not Found"}}, 404)
    if token is not None and not _bearer_is(request, token):
        error = {
            "code": "UNAUTHENTICATED",
            "message": "Send Authorization: Bearer <METRICS_TOKEN>.",
        }
        return JSONResponse({"error": error}, 401, headers={"WWW-Authenticate": "Bearer"})
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)


def worker_exited() -> None:
    """Drops this worker's live gauges (the breaker state) from what the others report."""
    if os.environ.get(MULTIPROC_ENV):
        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _registry() -> CollectorRegistry:
    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def _bearer_is(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        given.strip().encode(), token.encode()
    )
