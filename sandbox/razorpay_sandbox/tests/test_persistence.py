"""Credentials kept under DATA_DIR, and state (with the clock offset) surviving a restart."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

from razorpay_sandbox import (
    Sandbox,
    SandboxConfig,
    create_sandbox,
    load_or_create_credentials,
    saved_clock_offset,
)
from razorpay_sandbox.tests.builders import Env, MovedClock, advance, control, plan, subscription
from razorpay_sandbox.tests.receiver import Receiver
from razorpay_sandbox.tests.server import loopback_socket, serving


def test_credentials_are_generated_once_with_0600(tmp_path: Path) -> None:
    first = load_or_create_credentials(tmp_path)
    again = load_or_create_credentials(tmp_path)
    path = tmp_path / "sandbox" / "credentials.json"
    assert first == again
    assert first.key_id.startswith("rzp_test_") and len(first.key_id) == 23
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_credentials(tmp_path / "other") != first


def start(tmp_path: Path, clock: MovedClock) -> tuple[SandboxConfig, Sandbox]:
    config = SandboxConfig(
        credentials=load_or_create_credentials(tmp_path),
        webhook_url=None,
        state_file=tmp_path / "sandbox" / "state.json",
        tick_seconds=None,
    )
    return config, create_sandbox(config, clock)


def local_env(config: SandboxConfig, port: int, tmp_path: Path) -> Env:
    base_url = f"http://127.0.0.1:{port}"
    return Env(base_url, port, config.credentials, tmp_path, MovedClock(), Receiver())


def test_state_and_clock_survive_a_restart(tmp_path: Path) -> None:
    # given a sandbox with a state file, a paid subscription, and a clock moved 40 days
    config, first = start(tmp_path, MovedClock())
    with serving(first.app, loopback_socket()) as port:
        env = local_env(config, port, tmp_path)
        client = env.sdk()
        sub = subscription(client, plan_id=plan(client)["id"])
        control(env, "/control/checkout", {"subscription_id": sub["id"]})
        advance(env, days=40)
    # when a new process restores the offset and builds the sandbox again
    offset = saved_clock_offset(config.state_file)
    assert offset >= timedelta(days=40)
    _, second = start(tmp_path, MovedClock(offset))
    with serving(second.app, loopback_socket()) as port:
        restored = local_env(config, port, tmp_path).sdk().subscription.fetch(sub["id"])
    # then the entities are all there, with the renewal that ran before the restart
    assert (restored["status"], restored["paid_count"]) == ("active", 2)


def test_a_sandbox_catches_its_clock_up_to_the_saved_offset(tmp_path: Path) -> None:
    # given a state file saved one day ahead
    config, _ = start(tmp_path, MovedClock())
    assert config.state_file is not None
    config.state_file.write_text(
        '{"version": 1, "clock_offset_seconds": 86400, "entities": {}, "books": {},'
        ' "refund_keys": {}}'
    )
    # when a sandbox is built with a clock that is not
    clock = MovedClock()
    start(tmp_path, clock)
    # then the clock is moved up to the saved offset
    assert clock.offset >= timedelta(days=1)
