"""What the GraphQL layer itself costs a `canUse` request, in-process: `schema.execute` of the
document (the request's context built inside the timing, as the view builds it) against the
decision alone (`decide` with a fresh `Caller`), with the database reads already answered on both
sides, so only CPU is timed. Alternating batches, each call timed; medians. Budget: the layer's
own cost (execute minus decision) at most 100 µs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response

from api.authz.caller import Caller
from api.authz.features import decide
from api.authz.policy import load_authorizer
from api.billing.entitlements import Access, never_subscribed
from api.catalog.load import load_catalog
from api.documents import User
from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.identity.tokens import Principal
from api.services import Services
from bench.environment import ROOT
from bench.population import CAN_USE

BUDGET_US = 100.0
BATCH, BATCHES, WARMUP = 500, 20, 1000
FREE = Principal("bench-free", "bench-free@example.com")


class Answered(Context):
    """A request's context whose user and grant reads are answered already (no database)."""

    async def _find_user(self) -> User | None:
        return None

    async def _load_access(self) -> Access:
        return never_subscribed(self.services.catalog)


async def _free() -> str:
    return "free"


def context(services: Services) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Answered(request=request, response=Response(), services=services, principal=FREE)


async def _batch(step: Callable[[], Awaitable[Any]]) -> list[float]:
    """Each call timed alone (µs): the median then skips the calls another process preempted."""
    times = []
    for _ in range(BATCH):
        started = time.perf_counter()
        await step()
        times.append((time.perf_counter() - started) * 1e6)
    return times


async def measure() -> dict[str, Any]:
    catalog = load_catalog(ROOT / "policies")
    authorizer = load_authorizer(ROOT / "policies", catalog)
    services = cast(Services, SimpleNamespace(authorizer=authorizer, catalog=catalog))
    github_import = catalog.feature("github_import")
    assert github_import is not None
    schema = build_schema(production=True)

    async def execute() -> None:
        result = await schema.execute(CAN_USE, context_value=context(services))
        assert result.errors is None, result.errors

    async def decision() -> None:
        await decide(Caller(services.authorizer, FREE, _free), catalog, github_import)

    for _ in range(WARMUP):
        await execute()
        await decision()
    executes: list[float] = []
    decisions: list[float] = []
    for i in range(BATCHES):
        pair = [(executes, execute), (decisions, decision)]
        for into, step in pair if i % 2 == 0 else reversed(pair):
            into.extend(await _batch(step))
    return summary(statistics.median(executes), statistics.median(decisions))


def summary(execute_us: float, decision_us: float) -> dict[str, Any]:
    layer = execute_us - decision_us
    return {
        "execute_us": round(execute_us, 1),
        "decision_us": round(decision_us, 1),
        "layer_us": round(layer, 1),
        "budget_us": BUDGET_US,
        "within_budget": layer <= BUDGET_US,
    }
