"""Production names nothing a caller did not write: graphql-core's "Did you mean ...?" hints go,
from validation (arguments, types, fields, enum literals) and from variable coercion alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from tests.builders import graphql
from tests.conftest import make_settings
from tests.serving import in_process

ENUM = "Value 'KEPP' does not exist in 'RefundAccess' enum."
ENUM_HINT = " Did you mean the enum value 'KEEP'?"
REFUND = 'refundPayment(paymentId: "pay_1", idempotencyKey: "key-0123456789", access: %s)'
REFUND_WITH = "mutation($a: RefundAccess!%s) { " + REFUND % "$a" + " { __typename } }"

# (document, variables, what prod says, the hint dev adds to it)
CASES = {
    "argument": (
        "{ paymentHistory(frist: 1) { edges { cursor } } }",
        None,
        "Unknown argument 'frist' on field 'Query.paymentHistory'.",
        " Did you mean 'first'?",
    ),
    "enum literal": ("mutation { " + REFUND % "KEPP" + " { __typename } }", None, ENUM, ENUM_HINT),
    "enum variable": (
        REFUND_WITH % "",
        {"a": "KEPP"},
        "Variable '$a' has invalid value: " + ENUM,
        ENUM_HINT,
    ),
    "enum default": (
        REFUND_WITH % " = KEPP",
        None,
        ENUM,
        ENUM_HINT,
    ),
    "type": (
        "query($p: Paymen) { plans { id } }",
        None,
        "Unknown type 'Paymen'.",
        " Did you mean 'Payment'?",
    ),
    "field": (
        "{ plans { idd } }",
        None,
        "Cannot query field 'idd' on type 'Plan'.",
        " Did you mean 'id'?",
    ),
    "directive argument": (
        "{ plans { id @include(iff: true) } }",
        None,
        "Unknown argument 'iff' on directive '@include'.",
        " Did you mean 'if'?",
    ),
}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def prod(
    mongodb_uri: str, database_name: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        app_env="prod",
        mongodb_uri=mongodb_uri,
        mongodb_db=database_name,
        data_dir=tmp_path_factory.mktemp("prod"),
        razorpay_key_id="rzp_test_abcdefghijklmn",
        razorpay_key_secret="secret",
        razorpay_webhook_secret="whsecret",
    )
    app = create_app(settings)
    async with in_process(app) as http:
        yield http


async def messages(http: httpx.AsyncClient, document: str, variables: Any) -> list[str]:
    response = await graphql(http, document, variables=variables)
    return [error["message"] for error in response.json()["errors"]]


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("case", CASES)
async def test_prod_errors_carry_no_hint(prod: httpx.AsyncClient, case: str) -> None:
    document, variables, plain, _hint = CASES[case]

    said = await messages(prod, document, variables)

    assert plain in said
    assert not any("Did you mean" in message for message in said), said


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("case", CASES)
async def test_dev_errors_still_hint(client: httpx.AsyncClient, case: str) -> None:
    document, variables, plain, hint = CASES[case]

    said = await messages(client, document, variables)

    assert plain + hint in said
