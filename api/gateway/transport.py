"""How one SDK call is made: a worker thread from our own bounded pool, a timeout on every call,
domain errors instead of SDK ones, a circuit breaker outside and retries only where safe.

Reads follow `ReadOptions`: by default the settings' timeout and retries. A caller with a deadline
of its own (a webhook that must be answered within Razorpay's 5 s) takes a view whose reads are
one short attempt that it can abandon; writes are the same in every view.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
import anyio.to_thread
import razorpay
import requests
from requests.adapters import HTTPAdapter

from api import metrics
from api.gateway.breaker import BreakerState, CircuitBreaker
from api.gateway.config import GatewaySettings
from api.gateway.errors import (
    GatewayCallError,
    GatewayCircuitOpen,
    GatewayMalformedEntity,
    GatewayUnavailable,
    map_sdk_error,
)
from api.gateway.retry import RetryPolicy, call_with_retries

SdkMethod = Callable[..., Any]


def build_session(pool_size: int) -> requests.Session:
    """One keep-alive pool shared by all worker threads, at least as large as the thread limit."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def build_sdk_client(settings: GatewaySettings, session: requests.Session) -> Any:
    # `enable_retry` is never called: it would retry POSTs with blocking sleeps in our threads.
    return razorpay.Client(
        session=session,
        auth=(settings.key_id, settings.key_secret),
        base_url=settings.root_url,
    )


def is_outage(exc: BaseException) -> bool:
    """What the breaker counts: Razorpay down or unreachable, not a refused request."""
    return isinstance(exc, GatewayUnavailable) and not isinstance(exc, GatewayCircuitOpen)


def operation_of(method: SdkMethod) -> str:
    """`subscription.fetch` for the SDK's `client.subscription.fetch`: bounded by the code."""
    resource = getattr(method, "__self__", None)
    owner = type(resource).__name__.lower() if resource is not None else "sdk"
    return f"{owner}.{getattr(method, '__name__', 'call')}"


BREAKER_STATES = [state.value for state in BreakerState]
Timeout = tuple[float, float]  # (connect, read), as `requests` takes it


@dataclass(frozen=True, slots=True)
class ReadOptions:
    timeout: Timeout
    retry: RetryPolicy
    # True: a cancelled caller returns at once and the thread finishes its call alone, ended by
    # its own timeout; False: the caller waits for the thread, so nothing runs outside the limiter.
    abandon_on_cancel: bool = False

    def within(self, seconds: float) -> ReadOptions:
        """One attempt, each network phase cut at `seconds`, given up at once on cancellation."""
        connect, read = self.timeout
        return ReadOptions(
            timeout=(min(connect, seconds), min(read, seconds)),
            retry=RetryPolicy(attempts=1),
            abandon_on_cancel=True,
        )


class SdkCaller:
    def __init__(
        self, settings: GatewaySettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        # Our own limiter, so a slow Razorpay cannot take anyio's shared default threads.
        self._limiter = anyio.CapacityLimiter(settings.max_concurrency)
        self._timeout = settings.timeout
        self._retry = RetryPolicy(
            attempts=settings.retry_attempts,
            base_delay_seconds=settings.retry_base_delay_seconds,
            max_delay_seconds=settings.retry_max_delay_seconds,
        )
        self._reads = ReadOptions(timeout=self._timeout, retry=self._retry)
        self.breaker = CircuitBreaker(
            failure_threshold=settings.breaker_failure_threshold,
            reset_after_seconds=settings.breaker_reset_seconds,
            is_failure=is_outage,
            clock=clock,
        )

    def reading_within(self, seconds: float) -> SdkCaller:
        """This caller (same threads, breaker and writes) with reads of `ReadOptions.within`."""
        view = copy.copy(self)
        view._reads = self._reads.within(seconds)
        return view

    async def read(self, method: SdkMethod, *args: object) -> Mapping[str, Any]:
        """A GET: repeating it changes nothing, so it is retried (as the read options say)."""
        reads = self._reads
        attempt = partial(self._attempt, method, args, None, is_write=False, reads=reads)
        return await self._measured(method, lambda: call_with_retries(attempt, reads.retry))

    async def write(self, method: SdkMethod, *args: object) -> Mapping[str, Any]:
        """A POST/PATCH/PUT without an idempotency key: sent once, never retried."""
        return await self._measured(
            method, partial(self._attempt, method, args, None, is_write=True)
        )

    async def idempotent_write(
        self, method: SdkMethod, *args: object, headers: Mapping[str, str]
    ) -> Mapping[str, Any]:
        """A write Razorpay de-duplicates by a header key, so a retry returns the same result."""
        attempt = partial(self._attempt, method, args, headers, is_write=True)
        return await self._measured(method, lambda: call_with_retries(attempt, self._retry))

    async def _measured(
        self, method: SdkMethod, call: Callable[[], Awaitable[Mapping[str, Any]]]
    ) -> Mapping[str, Any]:
        """`call` through the breaker, counted by operation and outcome, with its latency."""
        started, outcome = time.perf_counter(), "ok"
        try:
            return await self.breaker.call(call)
        except GatewayCallError as error:
            outcome = error.code
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            metrics.gateway_call(operation_of(method), outcome, time.perf_counter() - started)
            metrics.breaker_state(self.breaker.state.value, BREAKER_STATES)

    async def _attempt(
        self,
        method: SdkMethod,
        args: tuple[object, ...],
        headers: Mapping[str, str] | None,
        *,
        is_write: bool,
        reads: ReadOptions | None = None,
    ) -> Mapping[str, Any]:
        kwargs: dict[str, Any] = {"timeout": reads.timeout if reads else self._timeout}
        if headers:
            kwargs["headers"] = dict(headers)  # a fresh dict per attempt: the SDK adds to it
        abandon = reads is not None and reads.abandon_on_cancel
        try:
            result = await self._in_thread(partial(method, *args, **kwargs), abandon=abandon)
        except Exception as exc:
            mapped = map_sdk_error(exc, is_write=is_write)
            if mapped is None:
                raise
            raise mapped from exc
        if not isinstance(result, dict):
            message = f"Razorpay returned {type(result).__name__}, not an object"
            raise GatewayMalformedEntity(message, maybe_applied=is_write)
        return result

    async def _in_thread(self, call: Callable[[], Any], *, abandon: bool) -> Any:
        # Not abandoned on cancel by default: the thread would keep its HTTP call going outside
        # the limiter; the per-call timeout bounds how long a cancelled caller waits instead.
        # A caller with a deadline abandons it: its short timeout bounds the thread's life.
        return await anyio.to_thread.run_sync(
            call, limiter=self._limiter, abandon_on_cancel=abandon
        )
