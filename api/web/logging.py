"""JSON logs, each line carrying the request id of the request it belongs to."""

from __future__ import annotations

import logging
import sys
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"


SHARED: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(level: str) -> None:
    number = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[*SHARED, structlog.processors.format_exc_info, _json()],
        wrapper_class=structlog.make_filtering_bound_logger(number),
        cache_logger_on_first_use=True,
    )
    _route_standard_logging(number)


def _json() -> structlog.processors.JSONRenderer:
    return structlog.processors.JSONRenderer()


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Uvicorn's, Strawberry's and other libraries' records, as the same JSON lines."""


def _route_standard_logging(level: int) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    # Casbin prints its whole model and policy at info on every load: noise, not events.
    logging.getLogger("casbin").setLevel(max(level, logging.WARNING))
    if any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        return  # configured already (several apps in one process, as in tests)
    handler = _JsonHandler(sys.stdout)  # where structlog writes: one stream, in order
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*SHARED, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                _json(),
            ],
        )
    )
    root.addHandler(handler)


class RequestLogMiddleware:
    """Gives each HTTP request an id (the caller's X-Request-Id when sane), logs its outcome."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append(
                    (REQUEST_ID_HEADER.encode(), request_id.encode())
                )
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                self.log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 2),
                )


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER.encode():
            candidate: str = value.decode("latin-1")
            if 0 < len(candidate) <= 64 and candidate.replace("-", "").isalnum():
                return candidate
    return uuid.uuid4().hex
