"""All or nothing: a mutation document with one refused root field runs none of its fields."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.services import Services
from tests.builders import graphql, token
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

FREE = token(sub="free-doc", email="free-doc@example.com")
VARIABLES = {"k": "mixed-doc-key-0001", "pay": "pay_MixedDocument01"}
UPGRADE = "upgrade(idempotencyKey: $k) { __typename }"
REFUND = "refundPayment(paymentId: $pay, idempotencyKey: $k) { __typename }"
CANCEL = "cancelSubscription(atPeriodEnd: true) { __typename }"
HEAD = "mutation($k: String!, $pay: String!)"

DENIAL_LAST = f"{HEAD} {{ a: {UPGRADE} b: {REFUND} }}"
DENIAL_FIRST = f"{HEAD} {{ b: {REFUND} a: {UPGRADE} }}"
IN_FRAGMENTS = f"""{HEAD} {{ ...Buy }}
fragment Buy on Mutation {{ a: {UPGRADE} ... on Mutation {{ b: {REFUND} }} }}"""


async def stored(services: Services) -> dict[str, list[dict[str, Any]]]:
    """Every document of every collection."""
    found = {}
    for name in sorted(await services.database.list_collection_names()):
        documents = await services.database[name].find({}).to_list()
        found[name] = sorted(documents, key=lambda d: str(d["_id"]))
    return found


@pytest.mark.parametrize(
    "document",
    [DENIAL_LAST, DENIAL_FIRST, IN_FRAGMENTS],
    ids=["denial-last", "denial-first", "fragments-and-aliases"],
)
async def test_one_denied_root_field_refuses_the_whole_mutation(
    document: str, client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a free user, who may upgrade but may not refund
    before = {"documents": await stored(services), "razorpay": await sandbox.fingerprint()}

    # when they send an upgrade and a refund in one document
    response = await graphql(client, document, variables=VARIABLES, bearer=FREE)

    # then the refund's denial answers the whole operation, and the upgrade never ran
    body = response.json()
    assert response.status_code == 200, body
    assert body["data"] is None
    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [("FORBIDDEN", ["b"])]
    after = {"documents": await stored(services), "razorpay": await sandbox.fingerprint()}
    assert after == before


async def test_a_skipped_field_is_not_asked_for(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a document whose refused field is skipped
    skipped = REFUND.replace(") {", ") @skip(if: true) {")
    document = f"{HEAD} {{ a: {UPGRADE} b: {skipped} }}"

    # when a free user sends it
    body = (await graphql(client, document, variables=VARIABLES, bearer=FREE)).json()

    # then what is left is allowed, and runs
    assert "errors" not in body, body
    assert body["data"] == {"a": {"__typename": "CheckoutDetails"}}


async def test_a_document_of_allowed_fields_runs_them_all_in_order(
    client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # when a free user starts a checkout and cancels in one document
    document = f"mutation($k: String!) {{ a: {UPGRADE} b: {CANCEL} }}"
    body = (await graphql(client, document, variables={"k": VARIABLES["k"]}, bearer=FREE)).json()

    # then both ran, one after the other: the cancel found the checkout the upgrade started
    assert "errors" not in body, body
    assert body["data"] == {
        "a": {"__typename": "CheckoutDetails"},
        "b": {"__typename": "Subscription"},
    }
