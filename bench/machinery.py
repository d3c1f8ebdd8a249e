"""The guard machinery alone, with no database to hide it: 200 rows x 2 fields, each field a
plain attribute as `Payment.amountFlagged` is, guarded or not. Gives the CPU cost of one guarded
field resolution, to set beside the real query's count of them."""

from __future__ import annotations

import time
from types import SimpleNamespace

import strawberry

from api.authz.caller import Caller
from api.authz.policy import Authorizer
from api.graphql.guards import guard
from api.identity.tokens import Principal

ROWS = 200
QUERY = "{ rows { first second } }"


@strawberry.type
class GuardedRow:
    first: bool | None = strawberry.field(extensions=[guard("payment", "audit")])
    second: bool | None = strawberry.field(extensions=[guard("payment", "audit")])


@strawberry.type
class BareRow:
    first: bool | None
    second: bool | None


async def guarded_rows() -> list[GuardedRow]:
    return [GuardedRow(first=True, second=False) for _ in range(ROWS)]


async def bare_rows() -> list[BareRow]:
    return [BareRow(first=True, second=False) for _ in range(ROWS)]


@strawberry.type
class GuardedQuery:
    rows: list[GuardedRow] = strawberry.field(
        resolver=guarded_rows, extensions=[guard("payment", "read_any")]
    )


@strawberry.type
class BareQuery:
    rows: list[BareRow] = strawberry.field(resolver=bare_rows)


async def _never() -> str:
    return "free"


async def _timed(schema: strawberry.Schema, authorizer: Authorizer) -> float:
    staff = Principal("bench-support", staff_roles=frozenset({"support"}))
    started = time.perf_counter()
    result = await schema.execute(
        QUERY, context_value=SimpleNamespace(caller=Caller(authorizer, staff, _never))
    )
    elapsed = time.perf_counter() - started
    assert result.errors is None, result.errors
    return elapsed


async def per_guarded_field_us(authorizer: Authorizer, *, rounds: int = 40) -> float:
    """Median extra microseconds one guarded field resolution costs, measured interleaved."""
    guarded = strawberry.Schema(query=GuardedQuery)
    bare = strawberry.Schema(query=BareQuery)
    extra: list[float] = []
    for _ in range(rounds):
        with_guards = await _timed(guarded, authorizer)
        without = await _timed(bare, authorizer)
        extra.append((with_guards - without) / (2 * ROWS + 1) * 1e6)
    extra.sort()
    return round(extra[len(extra) // 2], 2)
