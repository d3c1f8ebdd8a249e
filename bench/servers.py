"""The processes a benchmark measures: the service as deployed (`python -m api serve`, prod
settings, JSON logs to a file) and the baseline, each on a port of its own, on one database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.environment import ROOT

JWT_SECRET = "bench-jwt-secret-" + "0" * 32
WEBHOOK_SECRET = "bench-webhook-secret"
METRICS_TOKEN = "bench-metrics-token"
READY_WITHIN_S = 60.0
# Another checkout's service against this one's baseline and load (e.g. the code before a change).
SERVICE_SRC = Path(os.environ.get("BENCH_SERVICE_SRC") or ROOT)


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the process and its children have used so far."""
        return sum(_cpu_seconds(pid) for pid in [self.process.pid, *_children(self.process.pid)])

    def rss_kib(self) -> int:
        """Resident memory of the process and its children (uvicorn's workers), in KiB."""
        return sum(_rss_kib(pid) for pid in [self.process.pid, *_children(self.process.pid)])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def service_env(uri: str, db: str, tmp: Path, port: int, workers: int) -> dict[str, str]:
    # Keys that are never called: the checks and webhooks measured here reach no Razorpay.
    return {
        "APP_ENV": "prod",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "MONGODB_URI": uri,
        "MONGODB_DB": db,
        "DATA_DIR": str(tmp / "var"),
        "POLICY_DIR": str(ROOT / "policies"),
        "RAZORPAY_KEY_ID": "rzp_test_bench000000",
        "RAZORPAY_KEY_SECRET": "bench-secret",
        "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "JWT_SECRET": JWT_SECRET,
        "METRICS_TOKEN": METRICS_TOKEN,
        "LOG_LEVEL": "info",
        "WEB_CONCURRENCY": str(workers),
    }


@contextmanager
def service(
    uri: str, db: str, tmp: Path, *, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    port = free_port()
    with _serving(
        f"service ({workers} worker{'s' if workers > 1 else ''})",
        [sys.executable, "-m", "api", "serve"],
        service_env(uri, db, tmp, port, workers) | (extra_env or {}),
        port,
        tmp / f"service-{port}.log",
        source=SERVICE_SRC,
    ) as server:
        yield server


@contextmanager
def baseline(uri: str, db: str, tmp: Path) -> Iterator[Server]:
    port = free_port()
    with _serving(
        "baseline",
        [sys.executable, "-m", "bench.baseline"],
        service_env(uri, db, tmp, port, 1),
        port,
        tmp / f"baseline-{port}.log",
    ) as server:
        yield server


@contextmanager
def _serving(
    name: str,
    command: list[str],
    env: dict[str, str],
    port: int,
    log: Path,
    *,
    source: Path = ROOT,
) -> Iterator[Server]:
    # PYTHONPATH: this checkout's code first, whatever an editable install elsewhere points at.
    path = os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))
    environment = {**os.environ, **env, "PYTHONPATH": path}
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own modules, fixed arguments)
            command, cwd=source, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        stop(process)


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {server.log.read_text()[-2000:]}")
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} was not ready within {READY_WITHIN_S:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # utime and stime, fields 14 and 15 of proc(5); the 12th and 13th after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
