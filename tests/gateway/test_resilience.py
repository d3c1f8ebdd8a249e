"""Fault injection over real sockets: timeouts, 5xx, HTML pages, the breaker, the thread limit."""

from __future__ import annotations

import anyio
import pytest

from api.gateway import (
    BreakerState,
    GatewayCircuitOpen,
    GatewayInvalidResponse,
    GatewayRejected,
    GatewayTimeout,
    GatewayUnavailable,
)
from tests.gateway.builders import (
    bad_request,
    html_bad_gateway,
    make_gateway,
    ok,
    refund_json,
    server_error,
    subscription_json,
)
from tests.gateway.fault_server import FaultServer

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUB_ID = "sub_00000000000001"
SUB_PATH = f"/v1/subscriptions/{SUB_ID}"
PAY_ID = "pay_00000000000001"
REFUND_PATH = f"/v1/payments/{PAY_ID}/refund"
REFUND_KEY = "refund-key-0001"


async def test_a_read_that_outlasts_the_timeout_fails_fast(server: FaultServer) -> None:
    # given a Razorpay that answers (successfully) only after 5 s, and a read timeout of 0.2 s
    server.on("GET", SUB_PATH, ok(subscription_json(), delay_seconds=5.0))

    # when
    async with make_gateway(server.base_url, read_timeout_seconds=0.2, retry_attempts=2) as gw:
        with pytest.raises(GatewayTimeout) as raised:
            await gw.fetch_subscription(SUB_ID)

    # then each attempt was cut off by the timeout: had either waited for its answer, the call
    # would have succeeded, and a first answer would have left no second attempt
    assert raised.value.retryable is True
    assert len(server.seen("GET", SUB_PATH)) == 2


async def test_a_write_that_times_out_may_have_been_applied(server: FaultServer) -> None:
    server.on("POST", "/v1/subscriptions", ok(subscription_json(), delay_seconds=5.0))

    async with make_gateway(server.base_url, read_timeout_seconds=0.2) as gateway:
        with pytest.raises(GatewayTimeout) as raised:
            await gateway.create_subscription("plan_0000000000001", 12)

    assert raised.value.maybe_applied is True
    assert len(server.seen("POST", "/v1/subscriptions")) == 1


async def test_server_error_on_a_read_is_retried_until_it_succeeds(server: FaultServer) -> None:
    # given two 500s, then the subscription
    server.on("GET", SUB_PATH, server_error(), server_error(), ok(subscription_json()))

    # when
    async with make_gateway(server.base_url, retry_attempts=3) as gateway:
        subscription = await gateway.fetch_subscription(SUB_ID)

    # then
    assert subscription.id == SUB_ID
    assert len(server.seen("GET", SUB_PATH)) == 3


async def test_server_error_on_a_read_gives_up_after_the_attempts(server: FaultServer) -> None:
    server.on("GET", SUB_PATH, server_error())

    async with make_gateway(server.base_url, retry_attempts=3) as gateway:
        with pytest.raises(GatewayUnavailable) as raised:
            await gateway.fetch_subscription(SUB_ID)

    assert raised.value.code == "gateway_unavailable"
    assert len(server.seen("GET", SUB_PATH)) == 3


async def test_server_error_on_subscription_create_is_never_retried(server: FaultServer) -> None:
    server.on("POST", "/v1/subscriptions", server_error(), ok(subscription_json()))

    async with make_gateway(server.base_url, retry_attempts=3) as gateway:
        with pytest.raises(GatewayUnavailable) as raised:
            await gateway.create_subscription("plan_0000000000001", 12)

    assert raised.value.maybe_applied is True
    assert len(server.seen("POST", "/v1/subscriptions")) == 1


async def test_bad_request_is_rejected_once_and_never_trips_the_breaker(
    server: FaultServer,
) -> None:
    # given a Razorpay that refuses every request, and a breaker threshold of 2
    server.on("GET", SUB_PATH, bad_request("Subscription is not cancellable in expired status."))

    # when the refused read is made more times than the threshold
    async with make_gateway(server.base_url, breaker_failure_threshold=2) as gateway:
        for _ in range(4):
            with pytest.raises(GatewayRejected) as raised:
                await gateway.fetch_subscription(SUB_ID)
        state = gateway.breaker_state

    # then every call reached Razorpay exactly once and the breaker stayed closed
    assert raised.value.message == "Subscription is not cancellable in expired status."
    assert raised.value.retryable is False
    assert len(server.seen("GET", SUB_PATH)) == 4
    assert state is BreakerState.CLOSED


async def test_html_bad_gateway_page_is_unavailable_not_a_crash(server: FaultServer) -> None:
    server.on("GET", SUB_PATH, html_bad_gateway(), ok(subscription_json()))

    async with make_gateway(server.base_url, retry_attempts=1) as gateway:
        with pytest.raises(GatewayInvalidResponse) as raised:
            await gateway.fetch_subscription(SUB_ID)

    assert isinstance(raised.value, GatewayUnavailable)
    assert raised.value.retryable is True


async def test_unreachable_razorpay_is_unavailable() -> None:
    # given a base URL where nothing listens (port 9, discard, is closed on loopback)
    async with make_gateway("http://127.0.0.1:9", retry_attempts=1) as gateway:
        with pytest.raises(GatewayUnavailable) as raised:
            await gateway.fetch_subscription(SUB_ID)

    assert raised.value.maybe_applied is False


async def test_breaker_opens_fails_fast_then_closes_after_the_window(server: FaultServer) -> None:
    # given a failing Razorpay, a threshold of 3 and a 0.2 s window
    server.on(
        "GET", SUB_PATH, server_error(), server_error(), server_error(), ok(subscription_json())
    )
    settings = {"retry_attempts": 1, "breaker_failure_threshold": 3, "breaker_reset_seconds": 0.2}

    async with make_gateway(server.base_url, **settings) as gateway:
        # when three logical calls fail
        for _ in range(3):
            with pytest.raises(GatewayUnavailable):
                await gateway.fetch_subscription(SUB_ID)
        # then the next one fails fast without reaching the server
        with pytest.raises(GatewayCircuitOpen):
            await gateway.fetch_subscription(SUB_ID)
        assert len(server.seen("GET", SUB_PATH)) == 3
        # and after the window a trial call goes through and closes the breaker
        await anyio.sleep(0.25)
        subscription = await gateway.fetch_subscription(SUB_ID)
        assert gateway.breaker_state is BreakerState.CLOSED

    assert subscription.id == SUB_ID
    assert len(server.seen("GET", SUB_PATH)) == 4


async def test_retries_of_one_logical_call_count_once_for_the_breaker(
    server: FaultServer,
) -> None:
    server.on("GET", SUB_PATH, server_error())

    async with make_gateway(
        server.base_url, retry_attempts=3, breaker_failure_threshold=2
    ) as gateway:
        with pytest.raises(GatewayUnavailable):
            await gateway.fetch_subscription(SUB_ID)
        state = gateway.breaker_state

    assert len(server.seen("GET", SUB_PATH)) == 3
    assert state is BreakerState.CLOSED


async def test_refund_create_is_retried_on_5xx_with_the_same_idempotency_key(
    server: FaultServer,
) -> None:
    # given a 500 on the first refund attempt
    server.on("POST", REFUND_PATH, server_error(), ok(refund_json(amount=5000)))

    # when
    async with make_gateway(server.base_url) as gateway:
        refund = await gateway.create_refund(
            PAY_ID, idempotency_key=REFUND_KEY, amount_paise=5000, receipt="r-1"
        )

    # then both attempts carried the same key and the same body
    attempts = server.seen("POST", REFUND_PATH)
    assert refund.amount == 5000
    assert [a.headers["x-refund-idempotency"] for a in attempts] == [REFUND_KEY, REFUND_KEY]
    assert attempts[0].json() == attempts[1].json()
    assert attempts[0].json() == {"amount": 5000, "speed": "normal", "notes": {}, "receipt": "r-1"}


async def test_concurrency_is_bounded_by_the_gateway_limiter(server: FaultServer) -> None:
    # given a slow Razorpay and a limit of 2 threads
    server.on("GET", SUB_PATH, ok(subscription_json(), delay_seconds=0.15))

    # when 6 reads run at once
    gateway = make_gateway(server.base_url, max_concurrency=2)
    async with gateway, anyio.create_task_group() as tasks:
        for _ in range(6):
            tasks.start_soon(gateway.fetch_subscription, SUB_ID)

    # then all 6 reached Razorpay, 2 at a time and never more
    assert server.max_in_flight == 2
    assert len(server.seen("GET", SUB_PATH)) == 6
