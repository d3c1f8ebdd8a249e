from __future__ import annotations

import httpx
import pytest

from tests.billing_calls import HISTORY, become_pro
from tests.builders import graphql, token
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

DATED = "{ paymentHistory(first: 100) { edges { node { id createdAt } } } }"


async def page(
    client: httpx.AsyncClient, *, first: int, after: str | None = None
) -> httpx.Response:
    return await graphql(
        client, HISTORY, variables={"first": first, "after": after}, bearer=token()
    )


async def test_history_pages_newest_first_without_gaps_or_repeats(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given three payments: the first charge and two renewals
    subscription_id = await become_pro(client, sandbox)
    for _ in range(2):
        await sandbox.advance_past_next_charge(subscription_id)

    # when read two at a time
    first = (await page(client, first=2)).json()["data"]["paymentHistory"]
    rest = (await page(client, first=2, after=first["pageInfo"]["endCursor"])).json()["data"][
        "paymentHistory"
    ]

    # then every payment appears once, newest first
    nodes = [e["node"] for e in first["edges"] + rest["edges"]]
    created = [n["id"] for n in nodes]
    assert len(set(created)) == 3
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)
    dated = await graphql(client, DATED, bearer=token())
    edges = dated.json()["data"]["paymentHistory"]["edges"]
    assert [e["node"]["id"] for e in edges] == created
    times = [e["node"]["createdAt"] for e in edges]
    assert times == sorted(times, reverse=True) and len(set(times)) == 3


@pytest.mark.parametrize("first", [0, -1, 101, 1_000_000])
async def test_absurd_page_sizes_are_refused(client: httpx.AsyncClient, first: int) -> None:
    response = await page(client, first=first)

    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}


@pytest.mark.parametrize("cursor", ["garbage", "Zm9vYmFy", "MjAyNi0wMS0wMVQwMDowMDowMHw="])
async def test_a_cursor_this_api_did_not_give_out_is_refused(
    client: httpx.AsyncClient, cursor: str
) -> None:
    response = await page(client, first=5, after=cursor)

    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
