"""Everything `python -m api serve` and its database write under DATA_DIR is the owner's alone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from api.localdb import REPO_ROOT
from api.private_files import private_dir
from tests.api_command import api_command
from tests.billing_calls import UPGRADE

# A developer's own settings must not point this service elsewhere.
FOREIGN = ("MONGODB_URI", "RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET", "RAZORPAY_WEBHOOK_SECRET")


def test_everything_serve_writes_under_data_dir_is_owner_only(tmp_path: Path) -> None:
    # given a DATA_DIR that an older version created open to others
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    data_dir.chmod(0o755)
    env = service_env(data_dir)

    with serving(env, log=tmp_path / "serve.log") as base:
        # when it has written a user, its Razorpay customer and subscription, and a token
        bearer = run_api(env, "token", "--sub", "jo", "--email", "jo@example.com")
        upgrade = httpx.post(
            f"{base}/graphql",
            json={"query": UPGRADE, "variables": {"key": "files-0000000001"}},
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=30,
        )
        assert upgrade.json()["data"]["upgrade"]["__typename"] == "CheckoutDetails"
        # then while it runs (the database's WAL and SHM exist now) nothing is open to others
        assert open_to_others(data_dir) == []

    # and once it has stopped (the sandbox writes its state on the way out) still nothing is
    assert (data_dir / "sandbox" / "state.json").exists()
    assert (data_dir / "db.log").exists()
    assert open_to_others(data_dir) == []


def test_a_shared_sticky_data_dir_like_tmp_is_left_as_it_is(tmp_path: Path) -> None:
    # given DATA_DIR=/tmp, say: a folder everyone may write to, with the sticky bit
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)

    # when the service makes its folders private there
    private_dir(shared / "db")

    # then the shared folder is not closed to the others who use it, and its own folder is
    assert shared.stat().st_mode & 0o7777 == 0o1777
    assert (shared / "db").stat().st_mode & 0o777 == 0o700


def open_to_others(root: Path) -> list[str]:
    """Every folder and file under `root` (itself included) with a group or other bit set."""
    found = [root, *root.rglob("*")]
    return [f"{oct(p.stat().st_mode & 0o777)} {p}" for p in found if p.stat().st_mode & 0o077]


def service_env(data_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in FOREIGN}
    env.update(
        APP_ENV="dev",
        DATA_DIR=str(data_dir),
        PORT=str(free_port()),
        LOG_LEVEL="warning",
        POLICY_DIR=str(REPO_ROOT / "policies"),
    )
    env.pop("JWT_SECRET", None)  # the dev secret is one of the files written
    return env


def run_api(env: dict[str, str], *argv: str) -> str:
    return api_command(*argv, env=env, check=True).stdout.strip()


@contextmanager
def serving(env: dict[str, str], *, log: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{env['PORT']}"
    with log.open("wb") as output:
        service = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"],
            env=env,
            cwd=REPO_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(base, service, log)
        yield base
    finally:
        service.send_signal(signal.SIGINT)  # Ctrl-C: drain, stop the sandbox and the database
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()


def wait_until_ready(base: str, service: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90  # a liveness bound for a loaded machine, not a benchmark
    while time.monotonic() < deadline:
        if service.poll() is not None:
            raise AssertionError(f"serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not become ready")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
