"""A scriptable HTTP server on 127.0.0.1 for fault injection: slow replies, 5xx, HTML pages.

It stands in for Razorpay at the network boundary, so the gateway runs exactly as in production
(real SDK, real sockets, real timeouts). It records every request and the peak concurrency.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    delay_seconds: float = 0.0
    held_until: threading.Event | None = None  # not sent before the test sets it


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Script:
    replies: list[Reply] = field(default_factory=list)
    served: int = 0

    def next(self) -> Reply:
        # The last reply repeats, so "always fail" is a single reply.
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


NOT_FOUND = Reply(
    status=400,
    body=b'{"error":{"code":"BAD_REQUEST_ERROR","description":"The requested URL was not found on'
    b' the server."}}',
)


class FaultServer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[tuple[str, str], _Script] = {}
        self._seen: list[Seen] = []
        self._in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()
        self._httpd = _Httpd(self)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def on(self, method: str, path: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts[(method, path)] = _Script(list(replies))

    def seen(self, method: str | None = None, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [
                s
                for s in self._seen
                if (method is None or s.method == method) and (path is None or s.path == path)
            ]

    def reply_to(self, seen: Seen) -> Reply:
        with self._lock:
            self._seen.append(seen)
            script = self._scripts.get((seen.method, seen.path))
            return script.next() if script else NOT_FOUND

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    @contextmanager
    def running(self) -> Iterator[FaultServer]:
        # A short poll interval, so shutdown() returns at once instead of after 0.5 s.
        thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.stopping.set()  # wakes handlers that are sleeping to simulate a slow Razorpay
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join()


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fault: FaultServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fault = fault


class _Handler(BaseHTTPRequestHandler):
    server: _Httpd
    # Headers and body go out in two writes: with Nagle on, the body waits ~40 ms for the
    # client's delayed ACK of the headers.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: failures show up in the assertions, not as request logs."""

    def _serve(self) -> None:
        fault = self.server.fault
        with fault.in_flight():
            reply = fault.reply_to(self._record())
            fault.stopping.wait(reply.delay_seconds)
            while reply.held_until and not reply.held_until.wait(0.01):
                if fault.stopping.is_set():
                    break
            self._send(reply)

    def _record(self) -> Seen:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = self.rfile.read(length)
        return Seen(self.command, url.path, parse_qs(url.query), headers, body)

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): exactly what some tests provoke
