"""Where a benchmark runs: a database of its own, settings that never reach Razorpay, and the
record of its result (numbers, date, machine) under bench/results/."""

from __future__ import annotations

import json
import os
import platform
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from api.localdb import LocalDatabase
from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


@contextmanager
def database(tmp: Path) -> Iterator[tuple[str, str]]:
    """MONGODB_URI if set (a uniquely named database in it), or an embedded one."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    external = os.environ.get("MONGODB_URI")
    if external:
        yield external, name
        return
    with LocalDatabase(tmp / "db") as uri:
        yield uri, name


def bench_settings(uri: str, name: str, tmp: Path) -> Settings:
    # Keys that are never called: no sandbox is served and the query never reaches Razorpay.
    return Settings(
        _env_file=None,
        mongodb_uri=uri,
        mongodb_db=name,
        data_dir=tmp / "var",
        policy_dir=ROOT / "policies",
        razorpay_key_id="rzp_test_bench000000",
        razorpay_key_secret="bench-secret",
        razorpay_webhook_secret="bench-webhook-secret",
        jwt_secret="bench-jwt-secret-" + "0" * 32,
        log_level="warning",
    )


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "strawberry-graphql": version("strawberry-graphql"),
        "graphql-core": version("graphql-core"),
        "pycasbin": version("pycasbin"),
        "database": "MONGODB_URI" if os.environ.get("MONGODB_URI") else "embedded FerretDB",
    }


def record(benchmark: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{benchmark}.json"
    entry: dict[str, Any] = {"benchmark": benchmark}
    entry["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    entry |= {"machine": machine(), **result}
    path.write_text(json.dumps(entry, indent=2) + "\n")
    return path
