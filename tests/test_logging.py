"""Logs: one JSON object per line, the libraries' records too, each with the request's id and
the id of the process that wrote it."""

from __future__ import annotations

import json
import subprocess
import sys

EMIT = """
import logging, os, structlog, sys
from api.web.logging import configure_logging
configure_logging("info")
logging.getLogger("uvicorn.error").info("Uvicorn running")
with structlog.contextvars.bound_contextvars(request_id="req-1"):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("strawberry.execution").exception("resolver failed")
    structlog.get_logger("http").info("request", status=200)
print(os.getpid(), file=sys.stderr)
"""


def test_every_line_is_json_with_the_request_id_of_its_request() -> None:
    # when the service's own logger and two libraries' loggers write
    done = subprocess.run([sys.executable, "-c", EMIT], capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    pid = int(done.stderr)

    # then each line is one JSON object, and those inside a request carry its id
    assert [line["event"] for line in lines] == ["Uvicorn running", "resolver failed", "request"]
    assert [line.get("request_id") for line in lines] == [None, "req-1", "req-1"]
    assert "ValueError: boom" in lines[1]["exception"]
    # and each says which process wrote it (several workers share one stream)
    assert [line["pid"] for line in lines] == [pid] * 3
