"""A value loaded once per request, however many fields ask for it at the same time."""

from __future__ import annotations

import asyncio

import pytest

from api.once import Once

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_concurrent_askers_share_one_load() -> None:
    # given a load that waits until released, and counts its runs
    released = asyncio.Event()
    runs = 0

    async def load() -> str:
        nonlocal runs
        runs += 1
        await released.wait()
        return "grant"

    once = Once(load)

    # when three fields ask at once, and then one more after it is loaded
    asking = [asyncio.ensure_future(once.get()) for _ in range(3)]
    await asyncio.sleep(0)
    released.set()
    answers = await asyncio.gather(*asking)
    later = await once.get()

    # then it ran once and everyone got its value
    assert runs == 1
    assert [*answers, later] == ["grant"] * 4


async def test_an_error_reaches_every_asker() -> None:
    # given a load that fails after the askers are waiting
    released = asyncio.Event()

    async def load() -> str:
        await released.wait()
        raise LookupError("no such user")

    once = Once(load)

    # when two ask at once
    asking = [asyncio.ensure_future(once.get()) for _ in range(2)]
    await asyncio.sleep(0)
    released.set()
    outcomes = await asyncio.gather(*asking, return_exceptions=True)

    # then both see the load's error
    assert [type(outcome) for outcome in outcomes] == [LookupError, LookupError]


async def test_a_waiter_given_up_on_does_not_cancel_the_load() -> None:
    # given a first asker running the load and a second one waiting for it
    released = asyncio.Event()

    async def load() -> str:
        await released.wait()
        return "grant"

    once = Once(load)
    first = asyncio.ensure_future(once.get())
    await asyncio.sleep(0)
    second = asyncio.ensure_future(once.get())
    await asyncio.sleep(0)

    # when the second is cancelled, and then the load finishes
    second.cancel()
    released.set()

    # then the first still gets the value
    assert await first == "grant"
    with pytest.raises(asyncio.CancelledError):
        await second
