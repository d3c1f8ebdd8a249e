"""What each gateway method sends to Razorpay and what it returns, seen from the server side."""

from __future__ import annotations

import pytest

from api.gateway import GatewayMalformedEntity, GatewayNotFound
from tests.gateway.builders import (
    collection,
    make_gateway,
    ok,
    payment_json,
    plan_json,
    refund_json,
    sample,
    subscription_json,
)
from tests.gateway.fault_server import FaultServer

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_base_url_path_prefix_and_basic_auth_are_used(server: FaultServer) -> None:
    # given a sandbox mounted under /sandbox
    server.on("GET", "/sandbox/v1/plans/plan_0000000000001", ok(plan_json()))

    # when
    async with make_gateway(server.base_url + "/sandbox/") as gateway:
        plan = await gateway.fetch_plan("plan_0000000000001")

    # then
    (request,) = server.seen()
    assert request.headers["authorization"].startswith("Basic ")
    assert plan.amount == 10000


async def test_create_plan_sends_the_item(server: FaultServer) -> None:
    server.on("POST", "/v1/plans", ok(plan_json()))

    async with make_gateway(server.base_url) as gateway:
        plan = await gateway.create_plan("Pro", 10000, "INR", "monthly", 1, {"tier": "pro"})

    assert server.seen()[0].json() == {
        "period": "monthly",
        "interval": 1,
        "item": {"name": "Pro", "amount": 10000, "currency": "INR"},
        "notes": {"tier": "pro"},
    }
    assert plan.id == "plan_0000000000001"


async def test_list_plans_pages_with_count_and_skip(server: FaultServer) -> None:
    server.on("GET", "/v1/plans", ok(sample("plan_collection.json")))

    async with make_gateway(server.base_url) as gateway:
        plans = await gateway.list_plans(count=2, skip=4)

    assert server.seen()[0].query == {"count": ["2"], "skip": ["4"]}
    assert [p.id for p in plans] == ["plan_8kihN0YqhnF8a7", "plan_8aoXJnOqQAhq55"]


async def test_create_customer_asks_for_the_existing_customer(server: FaultServer) -> None:
    customer = {"id": "cust_0000000000001", "entity": "customer", "notes": []}
    server.on("POST", "/v1/customers", ok(customer))

    async with make_gateway(server.base_url) as gateway:
        created = await gateway.create_customer("Asha Rao", "asha@example.com")

    assert server.seen()[0].json()["fail_existing"] == "0"
    assert created.id == "cust_0000000000001"


async def test_create_subscription_omits_customer_id_unless_given(server: FaultServer) -> None:
    server.on("POST", "/v1/subscriptions", ok(subscription_json()))

    async with make_gateway(server.base_url) as gateway:
        await gateway.create_subscription("plan_0000000000001", 12, customer_notify=False)
        await gateway.create_subscription("plan_0000000000001", 12, "cust_0000000000001")

    first, second = (seen.json() for seen in server.seen())
    assert first == {
        "plan_id": "plan_0000000000001",
        "total_count": 12,
        "notes": {},
        "customer_notify": False,
    }
    assert second["customer_id"] == "cust_0000000000001"


async def test_cancel_subscription_at_cycle_end(server: FaultServer) -> None:
    path = "/v1/subscriptions/sub_00000000000001/cancel"
    server.on("POST", path, ok(subscription_json(status="active")))

    async with make_gateway(server.base_url) as gateway:
        await gateway.cancel_subscription("sub_00000000000001", at_cycle_end=True)

    assert server.seen("POST", path)[0].json() == {"cancel_at_cycle_end": True}


async def test_subscription_invoices_are_filtered_by_subscription(server: FaultServer) -> None:
    server.on("GET", "/v1/invoices", ok(sample("invoice_collection.json")))

    async with make_gateway(server.base_url) as gateway:
        invoices = await gateway.list_subscription_invoices("sub_00000000000001")

    assert server.seen()[0].query["subscription_id"] == ["sub_00000000000001"]
    assert len(invoices) == 2


async def test_fetch_payment_expands_the_card(server: FaultServer) -> None:
    card = sample("fake_card_detail_payment.json")
    server.on("GET", "/v1/payments/pay_00000000000001", ok(payment_json(card=card)))

    async with make_gateway(server.base_url) as gateway:
        payment = await gateway.fetch_payment("pay_00000000000001")

    assert server.seen()[0].query == {"expand[]": ["card"]}
    assert payment.card_last4 == "3335"


async def test_refunds_of_a_payment_and_one_refund(server: FaultServer) -> None:
    server.on("GET", "/v1/payments/pay_00000000000001/refunds", ok(collection(refund_json())))
    server.on("GET", "/v1/refunds/rfnd_0000000000001", ok(refund_json()))

    async with make_gateway(server.base_url) as gateway:
        listed = await gateway.list_payment_refunds("pay_00000000000001")
        fetched = await gateway.fetch_refund("rfnd_0000000000001")

    assert listed == [fetched]


async def test_full_refund_omits_the_amount(server: FaultServer) -> None:
    server.on("POST", "/v1/payments/pay_00000000000001/refund", ok(refund_json()))

    async with make_gateway(server.base_url) as gateway:
        await gateway.create_refund(
            "pay_00000000000001", idempotency_key="full_refund_1", speed="optimum"
        )

    assert server.seen()[0].json() == {"speed": "optimum", "notes": {}}


@pytest.mark.parametrize("key", ["short_key", "has space 123", "semi;colon-key", ""])
async def test_invalid_refund_idempotency_key_is_refused_before_sending(
    server: FaultServer, key: str
) -> None:
    async with make_gateway(server.base_url) as gateway:
        with pytest.raises(ValueError, match="idempotency key"):
            await gateway.create_refund("pay_00000000000001", idempotency_key=key)

    assert server.seen() == []


@pytest.mark.parametrize("bad_id", ["", "pay_1/../../refunds", "pay 1", "pay_1?x=1"])
async def test_ids_that_cannot_exist_are_not_found_without_a_call(
    server: FaultServer, bad_id: str
) -> None:
    async with make_gateway(server.base_url) as gateway:
        with pytest.raises(GatewayNotFound):
            await gateway.fetch_payment(bad_id)

    assert server.seen() == []


async def test_success_without_the_fields_we_need_is_malformed(server: FaultServer) -> None:
    server.on("GET", "/v1/subscriptions/sub_00000000000001", ok({"entity": "subscription"}))

    async with make_gateway(server.base_url) as gateway:
        with pytest.raises(GatewayMalformedEntity) as raised:
            await gateway.fetch_subscription("sub_00000000000001")

    assert raised.value.retryable is False
    assert len(server.seen()) == 1
