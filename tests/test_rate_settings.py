"""Rate limits are settings written as calls per window: `RATE_LIMIT_UPGRADE=15/1h`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.__main__ import main
from api.ratelimit import Budget, Rate
from api.settings import Settings


def test_rates_are_written_as_calls_per_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_CONFIRM_CHECKOUT", "10/15m")
    monkeypatch.setenv("RATE_LIMIT_ANONYMOUS", "120/m")

    rates = Settings().rate_limits

    assert rates[Budget.CONFIRM_CHECKOUT] == Rate(10, timedelta(minutes=15))
    assert rates[Budget.ANONYMOUS] == Rate(120, timedelta(minutes=1))
    assert str(rates[Budget.UPGRADE]) == "15/1h"


@pytest.mark.parametrize("written", ["15 an hour", "0/1h", "5/8d", "5/0s"])
def test_a_bad_rate_stops_the_start_naming_it(
    written: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RATE_LIMIT_UPGRADE", written)

    status = main(["token", "--sub", "user-1"])

    assert status == 2
    assert f"RATE_LIMIT_UPGRADE={written!r}" in capsys.readouterr().err
