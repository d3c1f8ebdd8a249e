"""Webhook delivery: signed POSTs, at least once, with retries and the test knobs.

Delivery runs in a worker task, never inside the REST request that caused the event. Retry
timing uses real (monotonic) time, not the sandbox clock: it is transport, not billing. One
worker sends one delivery at a time, so an order set by `release` is the order they arrive in.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from razorpay_sandbox.config import SandboxConfig
from razorpay_sandbox.events import Event
from razorpay_sandbox.signatures import webhook_signature

RESPONSE_KEPT = 1000
LOG_KEPT = 2000


def retry_offsets(config: SandboxConfig) -> list[float]:
    """Seconds after the first attempt at which each retry is made: exponential backoff,
    capped, within the retry window, with at most `max_attempts` attempts in all."""
    offsets: list[float] = []
    at, wait = 0.0, config.retry_backoff_base
    while len(offsets) + 1 < config.max_attempts and wait > 0:
        at += min(wait, config.retry_backoff_max)
        if at > config.retry_window:
            break
        offsets.append(at)
        wait *= 2
    return offsets


@dataclass
class Knobs:
    duplicate: bool = False  # deliver every event twice (same event id)
    delay: float = 0.0  # seconds to hold each event before its first attempt
    reorder: bool = False  # deliver the newest due event first
    fail_first: bool = False  # count each event's first attempt as failed, without sending it
    hold: bool = False  # keep new events until released (in an order of the caller's choosing)
    # accept new events and never deliver them: a receiver that misses them (a long outage,
    # a webhook Razorpay disabled), for what reconciliation must repair
    drop: bool = False


@dataclass
class Attempt:
    at: float
    status: int | None
    body: str | None
    error: str | None


@dataclass
class Delivery:
    seq: int
    event: Event
    signature: str
    due: float
    fail_first: bool
    first_due: float  # when the first attempt was due: retries are timed from it
    rank: int  # among deliveries due at once, the lowest goes first (newest first: `reorder`)
    state: str = "pending"  # pending | held | delivered | failed | no_url | dropped
    attempts: list[Attempt] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "event_id": self.event.event_id,
            "event": self.event.name,
            "state": self.state,
            "signature": self.signature,
            "body": self.event.body.decode("utf-8"),
            "attempts": [asdict(attempt) for attempt in self.attempts],
        }


class Dispatcher:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.knobs = Knobs()
        self.retries = retry_offsets(config)
        self.log: list[Delivery] = []
        self._seq = 0
        self._rank = 0
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def publish(self, event: Event) -> None:
        secret = self.config.credentials.webhook_secret
        # Signed now: retries of an event keep the signature it was created with.
        signature = webhook_signature(secret, event.body)
        for _ in range(2 if self.knobs.duplicate else 1):
            self._seq += 1
            self._rank += 1
            due = time.monotonic() + self.knobs.delay
            delivery = Delivery(
                seq=self._seq,
                event=event,
                signature=signature,
                due=due,
                fail_first=self.knobs.fail_first,
                first_due=due,
                rank=self._rank,
                state=self._first_state(),
            )
            self.log.append(delivery)
        del self.log[:-LOG_KEPT]
        self._wake.set()

    def _first_state(self) -> str:
        if not self.config.webhook_url:
            return "no_url"
        if self.knobs.drop:
            return "dropped"
        return "held" if self.knobs.hold else "pending"

    def pending(self) -> list[Delivery]:
        return [delivery for delivery in self.log if delivery.state == "pending"]

    def held(self) -> list[Delivery]:
        return [delivery for delivery in self.log if delivery.state == "held"]

    def change_knobs(self, knobs: Knobs) -> None:
        """Turning `hold` off releases what it held, oldest first."""
        self.knobs = knobs
        if not knobs.hold:
            self.release(self.held())

    def release(self, chosen: Sequence[Delivery]) -> None:
        """Send these held deliveries now, after anything already due, in this order (reversed
        while `reorder` is on, as it reverses everything due at once)."""
        now = time.monotonic()
        for delivery in chosen:
            self._rank += 1
            delivery.state, delivery.rank = "pending", self._rank
            delivery.due = delivery.first_due = now
        self._wake.set()

    def reset(self) -> None:
        self.knobs = Knobs()
        self.log.clear()
        self._changed.set()

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self, within: float) -> bool:
        """Wait until nothing is pending; False if `within` seconds passed first."""
        deadline = time.monotonic() + within
        while self.pending():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.5))
        return True

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=self.config.delivery_timeout) as client:
            while True:
                delivery = self._next()
                if delivery is None or delivery.due > time.monotonic():
                    await self._sleep(None if delivery is None else delivery.due)
                    continue
                await self._attempt(client, delivery)
                self._changed.set()

    def _next(self) -> Delivery | None:
        pending = self.pending()
        if not pending:
            return None
        now = time.monotonic()
        due = [delivery for delivery in pending if delivery.due <= now]
        if not due:
            return min(pending, key=lambda delivery: delivery.due)
        pick = max if self.knobs.reorder else min
        return pick(due, key=lambda delivery: delivery.rank)

    async def _sleep(self, until: float | None) -> None:
        self._wake.clear()
        timeout = None if until is None else max(0.0, until - time.monotonic())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _attempt(self, client: httpx.AsyncClient, delivery: Delivery) -> None:
        if delivery.fail_first and not delivery.attempts:
            delivery.attempts.append(Attempt(time.time(), None, None, "failed on purpose"))
            self._schedule_retry(delivery)
            return
        attempt = await self._post(client, delivery)
        delivery.attempts.append(attempt)
        if attempt.status is not None and 200 <= attempt.status < 300:
            delivery.state = "delivered"
        else:
            self._schedule_retry(delivery)

    async def _post(self, client: httpx.AsyncClient, delivery: Delivery) -> Attempt:
        headers = {
            "Content-Type": "application/json",
            "X-Razorpay-Signature": delivery.signature,
            "X-Razorpay-Event-Id": delivery.event.event_id,
        }
        started = time.time()
        try:
            # Razorpay's limit is on the whole answer, not on each network phase.
            async with asyncio.timeout(self.config.delivery_timeout):
                url = self.config.webhook_url or ""
                response = await client.post(url, content=delivery.event.body, headers=headers)
        except TimeoutError:
            return Attempt(started, None, None, "no answer in time")
        except httpx.HTTPError as error:
            return Attempt(started, None, None, f"{type(error).__name__}: {error}")
        return Attempt(started, response.status_code, response.text[:RESPONSE_KEPT], None)

    def _schedule_retry(self, delivery: Delivery) -> None:
        retry = len(delivery.attempts) - 1
        if retry >= len(self.retries):
            delivery.state = "failed"
            return
        # Timed from the first attempt, so slow answers do not stretch the window.
        delivery.due = delivery.first_due + self.retries[retry]
