"""`spendCredits`: throughput with 32 concurrent spenders on one account and on 32 accounts, run
in-process through the schema (guards, gate, ledger, the database) and checked for exactness by
the bench itself: exactly as many spends succeed as the balance covers, the balance ends at what
is left, and every account's entries are numbered 1..n with each balance the one before plus the
entry's amount."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from asgi_lifespan import LifespanManager

from api.app import create_app
from api.billing.credits import account
from api.documents import CreditEntry, User
from api.graphql.schema import build_schema
from api.identity.tokens import Principal
from api.identity.users import user_for
from api.ratelimit.rate import Rate
from api.services import Services
from bench.environment import bench_settings, database, record
from bench.guards import context, scratch

SPENDERS = 32
SPENDS_EACH = 25
SPEND = """mutation($k: String!) { spendCredits(amount: 1, idempotencyKey: $k) {
  __typename ... on CreditBalance { balance } ... on Failure { code } } }"""


async def funded(services: Services, subject: str, credits: int) -> Principal:
    principal = Principal(subject, f"{subject}@example.com")
    user = await user_for(principal, services.clock)
    assert user.id is not None
    await account.adjust(
        user.id,
        amount=credits,
        key=f"fund-{subject}",
        reason="bench",
        actor="bench",
        now=services.clock.now(),
    )
    return principal


async def spender(services: Services, principal: Principal, tag: str) -> list[bool]:
    schema, ok = build_schema(), []
    for n in range(SPENDS_EACH):
        result = await schema.execute(
            SPEND,
            variable_values={"k": f"bench-{tag}-{n:04d}"},
            context_value=context(services, principal),
        )
        assert result.errors is None and result.data is not None, result.errors
        answer = result.data["spendCredits"]
        assert answer["__typename"] == "CreditBalance" or answer["code"] == "INSUFFICIENT_CREDITS"
        ok.append(answer["__typename"] == "CreditBalance")
    return ok


async def exact(subject: str, funded_with: int, succeeded: int) -> bool:
    user = await User.find_one(User.subject == subject)
    assert user is not None and user.id is not None
    entries = await CreditEntry.find(CreditEntry.user_id == user.id).sort("seq").to_list()
    chained = all(
        e.seq == i + 1 and e.balance_after == (entries[i - 1].balance_after if i else 0) + e.amount
        for i, e in enumerate(entries)
    )
    last = entries[-1].balance_after
    return chained and succeeded == min(funded_with, SPENDERS * SPENDS_EACH) and last >= 0


async def one_account(services: Services) -> dict[str, Any]:
    balance = SPENDERS * SPENDS_EACH * 3 // 4  # a quarter of the spends must be refused
    owner = await funded(services, "bench-one", balance)
    started = time.perf_counter()
    results = await asyncio.gather(*(spender(services, owner, f"one-{i}") for i in range(SPENDERS)))
    seconds = time.perf_counter() - started
    succeeded = sum(sum(r) for r in results)
    return _row(seconds, succeeded, await exact("bench-one", balance, succeeded))


async def many_accounts(services: Services) -> dict[str, Any]:
    balance = SPENDS_EACH * 3 // 4
    owners = [await funded(services, f"bench-many-{i}", balance) for i in range(SPENDERS)]
    started = time.perf_counter()
    results = await asyncio.gather(
        *(spender(services, owner, f"many-{i}") for i, owner in enumerate(owners))
    )
    seconds = time.perf_counter() - started
    checks = [
        await exact(f"bench-many-{i}", balance, sum(r)) and sum(r) == balance
        for i, r in enumerate(results)
    ]
    return _row(seconds, sum(sum(r) for r in results), all(checks))


def _row(seconds: float, succeeded: int, exact_: bool) -> dict[str, Any]:
    calls = SPENDERS * SPENDS_EACH
    return {
        "calls": calls,
        "succeeded": succeeded,
        "seconds": round(seconds, 2),
        "calls_per_second": round(calls / seconds, 1),
        "exact": exact_,
    }


async def measure() -> dict[str, Any]:
    with scratch() as tmp, database(tmp) as (uri, name):
        settings = bench_settings(uri, name, tmp).model_copy(
            update={
                "rate_limit_spend_credits": Rate(10**6, timedelta(minutes=1)),
                "reconcile_interval_hours": 0,  # nothing here reaches Razorpay
            }
        )
        app = create_app(settings)
        async with LifespanManager(app):
            services: Services = app.state.services
            result = {"one_account": await one_account(services)}
            result["32_accounts"] = await many_accounts(services)
            await services.mongo.drop_database(name)
    return {"spenders": SPENDERS, "spends_each": SPENDS_EACH, **result}


async def main() -> int:
    result = await measure()
    path = record("credits", result)
    for case in ("one_account", "32_accounts"):
        row = result[case]
        print(
            f"  spendCredits, {SPENDERS} spenders, {case.replace('_', ' ')}: "
            f"{row['calls_per_second']} calls/s ({row['succeeded']}/{row['calls']} succeeded), "
            f"exact: {row['exact']}"
        )
    exact_ = result["one_account"]["exact"] and result["32_accounts"]["exact"]
    print(f"credits: recorded in {path}")
    return 0 if exact_ else 1
