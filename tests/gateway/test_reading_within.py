"""A view of the gateway for a caller with a deadline: each read one short attempt, given up at
once when the caller is cancelled; writes exactly as the gateway makes them."""

from __future__ import annotations

import threading

import anyio
import pytest

from api.gateway import GatewayTimeout, GatewayUnavailable
from tests.gateway.builders import make_gateway, ok, server_error, subscription_json
from tests.gateway.fault_server import FaultServer, Reply

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUB_ID = "sub_00000000000001"
SUB_PATH = f"/v1/subscriptions/{SUB_ID}"


async def test_a_read_within_a_deadline_is_one_attempt_cut_at_the_deadline(
    server: FaultServer,
) -> None:
    # given a Razorpay that answers after 5 s, and a gateway that would wait 10 s, three times
    server.on("GET", SUB_PATH, ok(subscription_json(), delay_seconds=5.0))
    async with make_gateway(server.base_url, read_timeout_seconds=10.0, retry_attempts=3) as gw:
        # when it is read through a view with a 0.2 s deadline
        with pytest.raises(GatewayTimeout):
            await gw.reading_within(0.2).fetch_subscription(SUB_ID)

    # then one attempt was made, and it was cut off: waited for, the answer (at 5 s, inside the
    # gateway's own 10 s) would have been a success, not a timeout
    assert len(server.seen("GET", SUB_PATH)) == 1


async def test_a_read_within_a_deadline_is_not_retried(server: FaultServer) -> None:
    # given a Razorpay that fails a read twice, then answers
    server.on("GET", SUB_PATH, server_error(), server_error(), ok(subscription_json()))

    async with make_gateway(server.base_url, retry_attempts=3) as gateway:
        # when it is read through the view: one attempt, failed
        with pytest.raises(GatewayUnavailable):
            await gateway.reading_within(1.0).fetch_subscription(SUB_ID)
        assert len(server.seen("GET", SUB_PATH)) == 1

        # then the gateway itself still retries (the second failure, then the answer)
        assert (await gateway.fetch_subscription(SUB_ID)).id == SUB_ID
        assert len(server.seen("GET", SUB_PATH)) == 3


async def test_a_cancelled_read_within_a_deadline_returns_while_razorpay_still_holds_it(
    server: FaultServer,
) -> None:
    # given a Razorpay that holds the read until the test lets it go
    release = threading.Event()
    server.on("GET", SUB_PATH, Reply(body=b"{}", held_until=release))
    try:
        async with make_gateway(server.base_url, read_timeout_seconds=10.0) as gateway:
            # when the caller gives up after 0.1 s
            with anyio.move_on_after(0.1) as scope:
                await gateway.reading_within(10.0).fetch_subscription(SUB_ID)

            # then it is back while the read is still held at Razorpay
            assert scope.cancelled_caught
            assert not release.is_set()
    finally:
        release.set()


async def test_writes_through_the_view_keep_the_gateways_timeout(server: FaultServer) -> None:
    # given a Razorpay that takes 0.5 s to create a subscription
    server.on("POST", "/v1/subscriptions", ok(subscription_json(), delay_seconds=0.5))

    # when it is created through a view whose reads are cut at 0.1 s
    async with make_gateway(server.base_url, read_timeout_seconds=5.0) as gateway:
        created = await gateway.reading_within(0.1).create_subscription("plan_0000000000001", 12)

    # then the write waited for its answer
    assert created.id == SUB_ID
