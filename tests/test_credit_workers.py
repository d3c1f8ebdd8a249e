"""The credits ledger stays exact with two worker processes over one database: 50 spends raced
through both against a balance of 20."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest

from tests.builders import graphql, token
from tests.test_workers import logged, ready, serving

pytestmark = pytest.mark.asyncio(loop_scope="session")

SPEND = """mutation($key: String!) { spendCredits(amount: 1, idempotencyKey: $key) {
  __typename ... on CreditBalance { balance } ... on Failure { code } } }"""
ADJUST = """mutation($u: ID!, $key: String!) { adjustCredits(userId: $u, amount: 20,
  reason: "test balance", idempotencyKey: $key) { __typename } }"""
USER = token(sub="spender-1", email="spender-1@example.com")
STAFF = token(sub="staff-1", roles=["support"])


async def spend_on_a_fresh_connection(url: str) -> dict[str, object]:
    """A connection of its own, so the two workers share the spends."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as fresh:
        variables = {"key": f"spend-{uuid.uuid4().hex}"}
        response = await graphql(fresh, SPEND, variables=variables, bearer=USER)
    answer: dict[str, object] = response.json()["data"]["spendCredits"]
    return answer


async def test_fifty_spends_through_two_workers_leave_exactly_twenty_spent(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as (url, _, log, _db):
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            await ready(client, log)
            # given a user holding 20 credits
            viewer = await graphql(client, "{ viewer { id } }", bearer=USER)
            user_id = viewer.json()["data"]["viewer"]["id"]
            adjust = {"u": user_id, "key": f"adjust-{uuid.uuid4().hex}"}
            await graphql(client, ADJUST, variables=adjust, bearer=STAFF)
            # when 50 spends of one credit race through both workers
            answers = await asyncio.gather(*(spend_on_a_fresh_connection(url) for _ in range(50)))
            # then exactly 20 succeed, with the balances 19..0 once each, and the rest are refused
            balances = sorted(int(str(a["balance"])) for a in answers if "balance" in a)
            assert balances == list(range(20))
            assert [a["code"] for a in answers if "code" in a] == ["INSUFFICIENT_CREDITS"] * 30
            after = await graphql(client, "{ credits { balance } }", bearer=USER)
            assert after.json()["data"]["credits"]["balance"] == 0
    # and both processes answered
    assert len({entry["pid"] for entry in logged(log, "request")}) == 2
