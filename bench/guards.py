"""What the guards cost: one query that touches every guarded query field and every guarded type
field, executed in-process against the same data with the guards and with them stripped,
interleaved in one run. The budget: guards add at most 10%.

Mutations are left out: running them would measure Razorpay and writes; their guard is the same
one decision per field as a query's.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import strawberry
from asgi_lifespan import LifespanManager
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.base import StrawberryObjectDefinition

from api.app import create_app
from api.graphql.context import Context
from api.graphql.guards import Guard
from api.graphql.schema import build_schema
from api.identity.tokens import Principal
from api.services import Services
from bench.environment import bench_settings, database, record
from bench.machinery import per_guarded_field_us
from bench.seed import PAGE, seed

BUDGET_PERCENT = 10.0
WARMUP, PAIRS = 20, 400
QUERY = """query($u: ID!) {
  viewer { id email staffRoles permissions }
  plans { id name price { amount formatted } features { code plan } }
  subscription { id status accessUntil plan { name } }
  paymentHistory(first: 20) { edges { node { id amount { amount } status amountFlagged
    refunds { id requestedBy } } } }
  payments(userId: $u, first: 20) { edges { node { id status amountFlagged
    refunds { id requestedBy } } } }
  entitlements { plan features { feature allowed } }
  canUse(feature: "github_import") { ... on FeatureAccess { allowed } }
  githubImports(first: 20) { id repositoryUrl status }
  accessChanges(userId: $u, first: 20) { reason at }
}"""
ROOT_FIELDS = 9
GUARD_CHECKS = ROOT_FIELDS + 2 * 2 * PAGE  # amountFlagged and requestedBy, in both payment lists
ADMIN = Principal("bench-admin", "bench-admin@example.com", frozenset({"admin"}))
FREE = Principal("bench-free", "bench-free@example.com")


@dataclass(frozen=True)
class Sample:
    seconds: list[float]

    def summary(self) -> dict[str, float]:
        ms = [s * 1000 for s in self.seconds]
        return {
            "median_ms": round(statistics.median(ms), 3),
            "mean_ms": round(statistics.fmean(ms), 3),
            "p90_ms": round(statistics.quantiles(ms, n=10)[-1], 3),
            "runs": len(ms),
        }


def unguarded_schema() -> strawberry.Schema:
    """The same schema built with every guard taken off its field, then put back: resolvers are
    wired when a schema is built, so the guarded schema keeps its guards."""
    fields = [
        field
        for concrete in build_schema().schema_converter.type_map.values()
        if isinstance(concrete.definition, StrawberryObjectDefinition)
        for field in concrete.definition.fields
    ]
    saved = [(field, list(field.extensions)) for field in fields]
    try:
        for field, extensions in saved:
            field.extensions = [e for e in extensions if not isinstance(e, Guard)]
        return build_schema()
    finally:
        for field, extensions in saved:
            field.extensions = extensions


def context(services: Services, principal: Principal) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=Response(), services=services, principal=principal)


async def execute(
    schema: strawberry.Schema, services: Services, principal: Principal, user_id: str
) -> tuple[float, Any]:
    started = time.perf_counter()  # a request's context (its Caller included) is part of the cost
    result = await schema.execute(
        QUERY, variable_values={"u": user_id}, context_value=context(services, principal)
    )
    return time.perf_counter() - started, result


async def check(
    guarded: strawberry.Schema, bare: strawberry.Schema, services: Services, user_id: str
) -> None:
    """Both answer the admin alike; only the guarded one refuses a free user staff fields."""
    _, with_guards = await execute(guarded, services, ADMIN, user_id)
    _, without = await execute(bare, services, ADMIN, user_id)
    assert with_guards.errors is None and with_guards.data == without.data, with_guards.errors
    _, refused = await execute(guarded, services, FREE, user_id)
    _, let_through = await execute(bare, services, FREE, user_id)
    assert refused.errors and not let_through.errors, "the stripped schema still guards"


async def measure(services: Services, user_id: str) -> dict[str, Any]:
    guarded, bare = build_schema(), unguarded_schema()
    await check(guarded, bare, services, user_id)
    for _ in range(WARMUP):
        await execute(guarded, services, ADMIN, user_id)
        await execute(bare, services, ADMIN, user_id)
    times: dict[str, list[float]] = {"with": [], "without": []}
    enforced = services.authorizer.enforcements
    gc.collect()
    # In adjacent pairs, alternating which goes first: the machine's drift (other processes,
    # the database's own work) falls on both sides of every pair alike.
    order = [("with", guarded), ("without", bare)]
    for pair in range(PAIRS):
        for name, schema in order if pair % 2 == 0 else reversed(order):
            times[name].append((await execute(schema, services, ADMIN, user_id))[0])
    return report(Sample(times["with"]), Sample(times["without"]), services, enforced)


async def machinery(services: Services, query_ms: float) -> dict[str, float]:
    """The guards' CPU cost alone, and its share of this query's time without guards."""
    us = await per_guarded_field_us(services.authorizer)
    return {
        "us_per_guarded_field": us,
        "us_for_this_query": round(us * GUARD_CHECKS, 1),
        "percent_of_this_query": round(us * GUARD_CHECKS / 1000 / query_ms * 100, 2),
    }


def report(
    with_guards: Sample, without: Sample, services: Services, enforced: int
) -> dict[str, Any]:
    guarded, bare = with_guards.summary(), without.summary()
    pairs = zip(with_guards.seconds, without.seconds, strict=True)
    added_us = statistics.median(g - b for g, b in pairs) * 1e6
    overhead = added_us / 1000 / bare["median_ms"] * 100
    return {
        "query": {"guarded_fields_resolved": GUARD_CHECKS, "rows_per_list": PAGE},
        "with_guards": guarded,
        "without_guards": bare,
        "added_us_per_query": round(added_us, 1),  # the median of the pairs' differences
        "overhead_percent": round(overhead, 2),  # that, against the median without guards
        "overhead_percent_of_medians": round(
            (guarded["median_ms"] / bare["median_ms"] - 1) * 100, 2
        ),
        "budget_percent": BUDGET_PERCENT,
        "within_budget": overhead <= BUDGET_PERCENT,
        "casbin_enforce_calls_while_measuring": services.authorizer.enforcements - enforced,
    }


@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        yield Path(directory)


async def main() -> int:
    with scratch() as tmp, database(tmp) as (uri, name):
        app = create_app(bench_settings(uri, name, tmp))
        async with LifespanManager(app):
            services: Services = app.state.services
            user = await seed(ADMIN.subject)
            result = await measure(services, str(user.id))
            query_ms = result["without_guards"]["median_ms"]
            result["machinery_alone"] = await machinery(services, query_ms)
            await services.mongo.drop_database(name)
    path = record("guards", result)
    print(
        f"guards: {result['with_guards']['median_ms']} ms with, "
        f"{result['without_guards']['median_ms']} ms without (medians of "
        f"{result['with_guards']['runs']} adjacent pairs): {result['overhead_percent']:+.2f}% "
        f"(budget {BUDGET_PERCENT:.0f}%); the guard machinery alone: "
        f"{result['machinery_alone']['us_per_guarded_field']} µs per guarded field, "
        f"{result['machinery_alone']['percent_of_this_query']}% of this query; recorded in {path}"
    )
    return 0 if result["within_budget"] else 1
