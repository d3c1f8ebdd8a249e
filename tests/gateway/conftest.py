"""A fresh fault-injection server per test, so scripts and request logs never leak between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gateway.fault_server import FaultServer


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer().running() as running:
        yield running
