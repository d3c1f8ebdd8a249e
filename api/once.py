"""An async value computed at most once, however many awaiters ask for it at the same time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """Sibling GraphQL fields resolve concurrently; they share one load instead of racing two.

    The first caller runs the load itself (no task of its own: a task is a trip through the event
    loop, and a `canUse` request nests three of these); callers that arrive while it runs wait
    for its outcome, an error or a cancellation included.
    """

    def __init__(self, load: Callable[[], Awaitable[T]]) -> None:
        self._load = load
        self._outcome: asyncio.Future[T] | None = None

    async def get(self) -> T:
        if self._outcome is not None:
            if self._outcome.done():
                return self._outcome.result()
            # Shielded: one waiter cancelled must not cancel the outcome the others wait for.
            return await asyncio.shield(self._outcome)
        outcome = self._outcome = asyncio.get_running_loop().create_future()
        try:
            value = await self._load()
        except asyncio.CancelledError:
            outcome.cancel()
            raise
        except BaseException as error:
            outcome.set_exception(error)
            outcome.exception()  # seen here: nobody else need be waiting for it
            raise
        outcome.set_result(value)
        return value
