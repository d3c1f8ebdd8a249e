"""Starts and stops the embedded MongoDB-compatible database (FerretDB over SQLite).

The launcher in `localdb/` is a tiny Go program of ours that embeds FerretDB v1.24.2. `make setup`
builds it into `.bin/localdb`. It prints its URI once it listens and exits when its standard input
closes, so holding its stdin pipe ties its life to ours even if we are killed.

The launcher's gate (`localdb/gate.go`) bounds how many commands reach FerretDB at once and queues
writes, in arrival order; it lets `ping` and `hello` through at once. A client's own connection
pool would only put a second queue in front of it, one that `ping` waits in too (a readiness check
answering 503 under a burst), so clients of the embedded database get a pool larger than any burst
one process serves at once, and may open all of its connections at once: pymongo's default of
two connections being opened at a time is such a queue too (a burst's checkouts, `ping`'s
among them, waited 2-3 s each behind the others' handshakes under load, past readiness's 2 s).
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import time
from pathlib import Path
from typing import IO

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from api.private_files import OPEN_TO_OTHERS, open_private_append, private_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BINARY = REPO_ROOT / ".bin" / "localdb"
CLIENT_OPTIONS = "maxPoolSize=1000&maxConnecting=1000"


class LocalDatabaseError(RuntimeError):
    """The embedded database could not be started; the message says what to do."""


def find_binary() -> Path:
    binary = Path(os.environ.get("LOCALDB_BIN", DEFAULT_BINARY))
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    how = (
        "run `make setup`, which builds it"
        if shutil.which("go")
        else ("install Go >= 1.24 (https://go.dev/dl/) and run `make setup`")
    )
    raise LocalDatabaseError(
        f"The embedded database launcher {binary} is missing: {how}; "
        "or set MONGODB_URI to use a MongoDB server instead."
    )


class LocalDatabase:
    """One running launcher process; use as a context manager or call start()/stop()."""

    def __init__(self, data_dir: Path, *, listen: str = "127.0.0.1:0", binary: Path | None = None):
        self.data_dir = data_dir
        self.listen = listen
        self.binary = binary
        self.uri: str | None = None
        self.log_path = data_dir.parent / f"{data_dir.name}.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 30.0) -> str:
        binary = self.binary or find_binary()
        private_dir(self.data_dir)
        # A log file, not a pipe: a pipe nobody reads fills up and then blocks the database.
        with open_private_append(self.log_path) as log:
            self._process = subprocess.Popen(  # noqa: S603 (our own binary, fixed arguments)
                [str(binary), "-listen", self.listen, "-data-dir", str(self.data_dir)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                # Its own session: Ctrl-C reaches the service, which drains its requests and then
                # closes stdin; a database killed by the same Ctrl-C would fail those requests.
                start_new_session=True,
                # The SQLite files (and their WAL) hold every email: owner-only, also with a
                # launcher built before it set this umask itself.
                umask=OPEN_TO_OTHERS,
            )
        try:
            self.uri = self._read_uri(timeout)
            _wait_until_answers(self.uri, deadline=time.monotonic() + timeout)
        except BaseException:
            self.stop()
            raise
        return self.uri

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin:
            process.stdin.close()  # the launcher's signal to shut down cleanly
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()

    def _read_uri(self, timeout: float) -> str:
        assert self._process is not None and self._process.stdout is not None
        line = _readline(self._process.stdout, timeout)
        if not line:
            self._process.wait(5)
            stderr = self.log_path.read_text(errors="replace")
            raise LocalDatabaseError(
                f"The embedded database exited at start (code {self._process.returncode}): "
                f"{stderr.strip()[-2000:]}"
            )
        return f"{json.loads(line)['uri']}?{CLIENT_OPTIONS}"


def _readline(stream: IO[bytes], timeout: float) -> bytes:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise LocalDatabaseError(f"The embedded database did not start within {timeout:.0f} s")
    return stream.readline()


def _wait_until_answers(uri: str, deadline: float) -> None:
    """Poll `hello` until the server answers: listening is not the same as serving."""
    while True:
        try:
            client: MongoClient[dict[str, object]]
            with MongoClient(uri, serverSelectionTimeoutMS=500) as client:
                client.admin.command("hello")
            return
        except PyMongoError as error:
            if time.monotonic() > deadline:
                raise LocalDatabaseError(
                    f"The embedded database does not answer: {error}"
                ) from error
            time.sleep(0.1)
