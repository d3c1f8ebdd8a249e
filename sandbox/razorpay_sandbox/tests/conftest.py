"""One sandbox for the session (see harness.py); every test starts from an empty sandbox and an
empty receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import razorpay

from razorpay_sandbox.tests.builders import Env, control
from razorpay_sandbox.tests.harness import serve_sandbox


@pytest.fixture(scope="session")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with serve_sandbox(tmp_path_factory.mktemp("var")) as env:
        yield env


@pytest.fixture
def env(running: Env) -> Env:
    control(running, "/control/reset")
    running.receiver.clear()
    return running


@pytest.fixture
def client(env: Env) -> razorpay.Client:
    return env.sdk()
