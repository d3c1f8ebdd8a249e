"""`paymentHistory`: database round trips per page, for pages of 1, 5 and 20 payments (each with
a refund), counted by pymongo's command monitoring while the query runs in-process. Target: the
same count whatever the page size (no query per row)."""

from __future__ import annotations

from typing import Any

from asgi_lifespan import LifespanManager
from pymongo import monitoring

from api.app import create_app
from api.graphql.schema import build_schema
from api.identity.tokens import Principal
from api.services import Services
from bench.environment import bench_settings, database, record
from bench.guards import context, scratch
from bench.seed import seed

PAGES = (1, 5, 20)
QUERY = """query($first: Int!) { paymentHistory(first: $first) {
  edges { cursor node { id amount { amount currency } refunded { amount } status cardLast4
    subscriptionId refunds { id amount { amount } status reason } } }
  pageInfo { hasNextPage endCursor } } }"""
OWNER = Principal("bench-history", "bench-history@example.com")


class Commands(monitoring.CommandListener):
    """Counts the commands sent to the database (each is one round trip)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def round_trips(services: Services, commands: Commands, first: int) -> dict[str, Any]:
    schema = build_schema()
    commands.names.clear()
    result = await schema.execute(
        QUERY, variable_values={"first": first}, context_value=context(services, OWNER)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    rows = len(result.data["paymentHistory"]["edges"])
    return {"rows": rows, "round_trips": len(commands.names), "commands": list(commands.names)}


async def measure() -> dict[str, Any]:
    commands = Commands()
    monitoring.register(commands)  # every client made from here on, the app's included
    with scratch() as tmp, database(tmp) as (uri, name):
        app = create_app(bench_settings(uri, name, tmp))
        async with LifespanManager(app):
            services: Services = app.state.services
            await seed(OWNER.subject)
            await round_trips(services, commands, 1)  # warm: indexes, plan cache
            pages = {str(first): await round_trips(services, commands, first) for first in PAGES}
            await services.mongo.drop_database(name)
    counts = {page["round_trips"] for page in pages.values()}
    return {"pages": pages, "constant": len(counts) == 1}


async def main() -> int:
    result = await measure()
    path = record("history", result)
    trips = ", ".join(
        f"{page['rows']} rows: {page['round_trips']}" for page in result["pages"].values()
    )
    verdict = "constant" if result["constant"] else "GROWS WITH THE PAGE (N+1)"
    print(f"history: paymentHistory round trips per page ({trips}): {verdict}; recorded in {path}")
    return 0 if result["constant"] else 1
