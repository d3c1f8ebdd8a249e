"""The Razorpay sandbox, run once beside `serve`'s workers (WEB_CONCURRENCY > 1, no keys).

A sandbox keeps its state in memory and delivers its own webhooks: one per worker would keep
two states and deliver each event twice. So `serve` runs it here, on a loopback port of its own,
on a `SharedClock`; each worker calls it at that address and passes `/sandbox` on to it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from api.clock import SharedClock
from api.private_files import private_dir
from api.razorpay_wiring import SHARED_CLOCK_FILE, build_sandbox, sandbox_dir
from api.settings import Settings

STARTS_WITHIN_S = 30.0


@contextmanager
def sandbox_beside_workers(settings: Settings) -> Iterator[str]:
    """Serves the sandbox for as long as the block runs; yields its address."""
    private_dir(sandbox_dir(settings))
    clock = SharedClock(sandbox_dir(settings) / SHARED_CLOCK_FILE)
    sandbox = build_sandbox(settings, clock)[0]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(sandbox.app, lifespan="on", access_log=False, log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="sandbox", daemon=True
    )
    thread.start()
    try:
        _wait_started(server, thread)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(STARTS_WITHIN_S)
        listener.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTS_WITHIN_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The Razorpay sandbox did not start beside the workers.")
        time.sleep(0.05)
