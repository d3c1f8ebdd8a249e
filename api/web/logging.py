"""JSON logs, each line carrying the request id of the request it belongs to and the process id.

A line is built where it is logged (so it takes that request's context) and written by a thread
of its own: the event loop only queues it, and never waits on a slow or full stdout.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import sys
import threading
import time
import uuid
from typing import IO, Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"


def _add_pid(logger: Any, method: str, event_dict: structlog.types.EventDict) -> Any:
    # Several workers write to one stream: the pid says which one a line came from.
    event_dict["pid"] = os.getpid()
    return event_dict


SHARED: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    _add_pid,
]
_JSON = structlog.processors.JSONRenderer()
_DONE = object()


class LineWriter:
    """Writes queued log entries from a thread of its own, rendering structlog's as JSON there.

    Lines reach the stream in the order they were queued, whichever logger wrote them. At exit
    the queue is drained; anything logged after that is written directly.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._entries: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def put(self, entry: str | dict[str, Any]) -> None:
        if self._closed:
            self._write([entry])
        else:
            self._entries.put(entry)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._entries.put(_DONE)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            batch = [self._entries.get()]
            while not self._entries.empty() and batch[-1] is not _DONE:
                batch.append(self._entries.get())
            done = batch[-1] is _DONE
            self._write(batch[:-1] if done else batch)
            if done:
                return

    def _write(self, batch: list[object]) -> None:
        try:
            self.stream.write("".join(f"{_rendered(entry)}\n" for entry in batch))
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: logs are not worth a crash
            pass


def _rendered(entry: object) -> str:
    if isinstance(entry, str):
        return entry
    assert isinstance(entry, dict)
    line = _JSON(None, "", entry)
    return line if isinstance(line, str) else line.decode()


class QueuedLogger:
    """structlog's logger: hands the finished event to the writer, whatever its level."""

    def __init__(self, writer: LineWriter) -> None:
        self._writer = writer

    def msg(self, **event: Any) -> None:
        self._writer.put(event)

    log = debug = info = warn = warning = err = error = critical = exception = fatal = msg


_writer: LineWriter | None = None


def configure_logging(level: str) -> None:
    number = logging.getLevelNamesMapping()[level.upper()]
    writer = _the_writer()
    structlog.configure(
        # The last processor hands on the event dict: it is rendered on the writer's thread.
        processors=[*SHARED, structlog.processors.format_exc_info],
        wrapper_class=structlog.make_filtering_bound_logger(number),
        logger_factory=lambda *_: QueuedLogger(writer),
        cache_logger_on_first_use=True,
    )
    _route_standard_logging(number, writer)


def _the_writer() -> LineWriter:
    global _writer
    if _writer is None:  # one per process: several apps in one process share it (tests)
        _writer = LineWriter(sys.stdout)  # where uvicorn and print write: one stream, in order
    return _writer


class _JsonHandler(logging.Handler):
    """Uvicorn's, Strawberry's and other libraries' records, as the same JSON lines: formatted
    here, in the request's context, and written by the writer's thread."""

    def __init__(self, writer: LineWriter) -> None:
        super().__init__()
        self.writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.writer.put(self.format(record))
        except Exception:
            self.handleError(record)


def _route_standard_logging(level: int, writer: LineWriter) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    # Casbin prints its whole model and policy at info on every load: noise, not events.
    logging.getLogger("casbin").setLevel(max(level, logging.WARNING))
    if any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        return  # configured already (several apps in one process, as in tests)
    handler = _JsonHandler(writer)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*SHARED, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                _JSON,
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
