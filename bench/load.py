"""The load generator (bench/loadgen, Go): built once per run, pinned to one core when `taskset`
is there, so the service and the database keep the other; its own CPU time is reported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.environment import ROOT

LOADGEN_SRC = ROOT / "bench" / "loadgen"


class LoadgenError(RuntimeError):
    pass


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str

    def line(self) -> str:
        return json.dumps(
            {"method": self.method, "path": self.path, "headers": self.headers, "body": self.body}
        )


@dataclass(frozen=True)
class Load:
    """What one run of the generator saw."""

    sent: int
    statuses: dict[str, int]
    seconds: float
    ok_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    loadgen_cpu_seconds: float

    @property
    def loadgen_cpu_share(self) -> float:
        """Of one core, over the run."""
        return self.loadgen_cpu_seconds / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "ok_per_second": round(self.ok_per_second, 1),
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "sent": self.sent,
            "statuses": self.statuses,
            "seconds": round(self.seconds, 2),
            "loadgen_cpu_share": round(self.loadgen_cpu_share, 3),
        }


def build(into: Path) -> Path:
    if shutil.which("go") is None:
        raise LoadgenError("The benchmarks' load generator needs Go >= 1.24 (https://go.dev/dl/).")
    binary = into / "loadgen"
    subprocess.run(  # noqa: S603 (our own source, fixed arguments)
        ["go", "build", "-trimpath", "-o", str(binary), "."],  # noqa: S607
        cwd=LOADGEN_SRC,
        check=True,
    )
    return binary


def write_requests(path: Path, requests: list[Request]) -> Path:
    path.write_text("".join(request.line() + "\n" for request in requests))
    return path


def pinned(command: list[str]) -> list[str]:
    """On the last core when taskset exists (and there are two or more), else as it is."""
    cores = os.cpu_count() or 1
    if shutil.which("taskset") is None or cores < 2:
        return command
    return ["taskset", "-c", str(cores - 1), *command]


def run(
    binary: Path,
    url: str,
    requests: Path,
    *,
    conns: int,
    seconds: float | None = None,
    once: bool = False,
    count: int = 0,
    deadline: float = 300.0,
) -> Load:
    """Sends for `seconds`, each request once (`once`), or `count` requests, within `deadline`
    seconds."""
    command = [str(binary), "-url", url, "-requests", str(requests), "-conns", str(conns)]
    command += ["-deadline", f"{deadline}s", "-timeout", "60s"]
    if once:
        command.append("-once")
    elif count:
        command += ["-count", str(count)]
    else:
        command += ["-duration", f"{seconds or 5.0}s"]
    done = subprocess.run(  # noqa: S603 (our own binary, fixed arguments)
        pinned(command), capture_output=True, text=True, timeout=deadline + 90
    )
    if done.returncode != 0:
        raise LoadgenError(f"loadgen failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return Load(**json.loads(done.stdout))
