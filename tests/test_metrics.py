"""`GET /metrics`: what a journey and a Razorpay failure add to it, and who may read it."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.services import Services
from api.settings import Settings
from tests.billing_calls import confirm, start_upgrade
from tests.conftest import make_settings
from tests.sandbox_driver import SandboxDriver
from tests.serving import in_process

pytestmark = pytest.mark.asyncio(loop_scope="session")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parsed(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parsed(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every sample of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


async def test_metrics_count_a_payment_its_webhooks_and_a_gateway_failure(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Services
) -> None:
    # given what /metrics says before
    before = await scrape(client)

    # when a user upgrades, pays in Checkout and comes back, and the webhooks arrive
    checkout = await start_upgrade(client, user="metrics-1")
    handler = await sandbox.pay(checkout["subscriptionId"])
    confirmed = await confirm(client, handler, user="metrics-1")
    await sandbox.drain()
    # and another user's upgrade meets Razorpay failing
    await sandbox.fail_next("POST", "/v1/subscriptions", status=500)
    failed = await start_upgrade(client, user="metrics-2")
    after = await scrape(client)

    assert confirmed["status"] == "ACTIVE", confirmed
    assert failed["__typename"] == "Failure", failed

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    def delta_total(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    # then the payment is counted once, as captured, and the access it granted
    assert delta("billing_payments_total", status="captured", reason="none") == 1
    assert delta("billing_access_changes_total", change="granted") == 1
    assert delta("billing_payment_to_access_seconds_count") == 1
    # and the webhooks the payment caused, each with its latency
    assert delta_total("billing_webhooks_total", event="subscription.activated") >= 1
    assert delta_total("billing_webhooks_total") >= 2
    assert delta_total("billing_webhook_seconds_count") == delta_total("billing_webhooks_total")
    # and Razorpay's failure, by operation and outcome
    failure = {"operation": "subscription.create", "outcome": "gateway_unavailable"}
    assert delta("billing_gateway_calls_total", **failure) == 1
    assert delta("billing_gateway_calls_total", operation="subscription.create", outcome="ok") == 1
    assert value(after, "billing_gateway_breaker_state", state="closed") == 1
    # and the GraphQL operations by root field, not by a name the client chose
    assert (
        delta("billing_graphql_operations_total", operation="mutation.upgrade", outcome="ok") == 2
    )
    confirm_ok = {"operation": "mutation.confirmCheckout", "outcome": "ok"}
    assert delta("billing_graphql_operations_total", **confirm_ok) == 1
    assert delta("billing_graphql_operation_seconds_count", operation="mutation.upgrade") == 2


async def test_graphql_errors_are_counted_by_code_under_bounded_labels(
    client: httpx.AsyncClient, services: Services
) -> None:
    # given what /metrics says before
    before = await scrape(client)

    # when an anonymous caller asks for a private field, and a document does not validate
    await client.post("/graphql", json={"query": "query Mine { subscription { id } }"})
    await client.post("/graphql", json={"query": "query Whatever123 { noSuchField }"})
    after = await scrape(client)

    # then each is counted under the schema's names and the error's code
    unauthenticated = {"operation": "query.subscription", "outcome": "UNAUTHENTICATED"}
    assert (
        value(after, "billing_graphql_operations_total", **unauthenticated)
        - value(before, "billing_graphql_operations_total", **unauthenticated)
        == 1
    )
    invalid = {"operation": "invalid", "outcome": "GRAPHQL_ERROR"}
    assert (
        value(after, "billing_graphql_operations_total", **invalid)
        - value(before, "billing_graphql_operations_total", **invalid)
        == 1
    )
    # and no label carries what the client named its operations
    assert not any("Whatever123" in str(labels) for _, labels in after)


def served(settings: Settings) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    return in_process(create_app(settings))


async def test_prod_has_no_metrics_without_a_token(prod_settings: dict[str, object]) -> None:
    # given prod without METRICS_TOKEN
    async with served(make_settings(**prod_settings)) as http:
        # when /metrics is asked for, then it is not there
        assert (await http.get("/metrics")).status_code == 404
        assert (
            await http.get("/metrics", headers={"Authorization": "Bearer x"})
        ).status_code == 404


async def test_prod_metrics_answer_only_their_token(prod_settings: dict[str, object]) -> None:
    # given prod with METRICS_TOKEN
    async with served(make_settings(**prod_settings, metrics_token="scrape-" + "s" * 32)) as http:
        # when /metrics is asked for without the token, or with another, then it is refused
        assert (await http.get("/metrics")).status_code == 401
        wrong = {"Authorization": "Bearer scrape-wrong"}
        assert (await http.get("/metrics", headers=wrong)).status_code == 401
        # and with it, the metrics are there
        samples = await scrape(http, Authorization="Bearer scrape-" + "s" * 32)
        assert any(name.startswith("billing_") for name, _ in samples)
