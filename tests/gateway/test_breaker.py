"""The circuit breaker on its own, with a hand-moved clock."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from api.gateway import BreakerState, GatewayCircuitOpen, GatewayRejected, GatewayUnavailable
from api.gateway.breaker import CircuitBreaker
from api.gateway.transport import is_outage

pytestmark = pytest.mark.asyncio(loop_scope="session")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_breaker(clock: FakeClock, *, threshold: int = 2, reset: float = 10.0) -> CircuitBreaker:
    return CircuitBreaker(
        failure_threshold=threshold, reset_after_seconds=reset, is_failure=is_outage, clock=clock
    )


async def succeed() -> str:
    return "ok"


async def fail_unavailable() -> str:
    raise GatewayUnavailable("down")


async def fail_rejected() -> str:
    raise GatewayRejected("bad amount")


async def trip(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(GatewayUnavailable):
            await breaker.call(fail_unavailable)


async def test_opens_after_threshold_and_fails_fast() -> None:
    # given
    clock = FakeClock()
    breaker = make_breaker(clock, threshold=2)

    # when
    await trip(breaker, 2)

    # then
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(GatewayCircuitOpen) as raised:
        await breaker.call(succeed)
    assert raised.value.retry_after_seconds == pytest.approx(10.0)
    assert raised.value.retryable is True


async def test_rejections_neither_trip_nor_count() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, threshold=2)

    await trip(breaker, 1)
    for _ in range(5):
        with pytest.raises(GatewayRejected):
            await breaker.call(fail_rejected)
    await trip(breaker, 1)

    # then the rejection in between reset the consecutive-failure count
    assert breaker.state is BreakerState.CLOSED


async def test_half_open_trial_success_closes() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, threshold=1, reset=10.0)
    await trip(breaker, 1)

    clock.now += 10.0
    state_before_trial = breaker.state
    assert await breaker.call(succeed) == "ok"

    assert state_before_trial is BreakerState.HALF_OPEN
    assert breaker.state is BreakerState.CLOSED


async def test_half_open_trial_failure_reopens_for_a_full_window() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, threshold=3, reset=10.0)
    await trip(breaker, 3)
    clock.now += 10.0

    await trip(breaker, 1)

    assert breaker.state is BreakerState.OPEN
    clock.now += 9.9
    with pytest.raises(GatewayCircuitOpen):
        await breaker.call(succeed)


async def test_half_open_lets_only_one_trial_through() -> None:
    # given an open breaker whose window has passed, and a slow trial call
    clock = FakeClock()
    breaker = make_breaker(clock, threshold=1)
    await trip(breaker, 1)
    clock.now += 10.0
    release = anyio.Event()

    async def slow_trial() -> str:
        await release.wait()
        return "ok"

    # when a second call arrives while the trial is in flight
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(breaker.call, slow_trial)
        await anyio.lowlevel.checkpoint()  # lets the trial start first
        with pytest.raises(GatewayCircuitOpen):
            await breaker.call(succeed)
        release.set()

    # then the trial's success closed it
    assert breaker.state is BreakerState.CLOSED


async def test_cancelled_trial_does_not_wedge_the_breaker() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, threshold=1)
    await trip(breaker, 1)
    clock.now += 10.0

    with anyio.move_on_after(0.01):
        await breaker.call(anyio.sleep_forever)

    assert await breaker.call(succeed) == "ok"
