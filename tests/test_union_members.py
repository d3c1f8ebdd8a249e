"""A union's member is told by the answer's class (`api.graphql.union_members`) exactly as
Strawberry would tell it: the same schema, with and without the lookup, gives the same result."""

from __future__ import annotations

from typing import Annotated

import pytest
import strawberry
from graphql import specified_rules
from strawberry.types import ExecutionResult

from api.graphql import union_members
from api.graphql.execution import Operations
from api.graphql.field_plans import PlannedExecutor
from tests.builders import operation

pytestmark = pytest.mark.asyncio(loop_scope="session")


@strawberry.type
class Granted:
    reason: str


@strawberry.type
class Refused:
    reason: str


class Courtesy(Granted):
    """A subclass of a member, as a resolver might return: Strawberry still answers Granted."""


def answer(kind: str) -> Granted | Refused:
    if kind == "courtesy":
        return Courtesy(reason="courtesy")
    if kind == "cast":  # a Refused shape answered as Granted, the way strawberry.cast says
        return strawberry.cast(Granted, Refused(reason="cast"))
    return Granted(reason="plan") if kind == "granted" else Refused(reason="plan")


@strawberry.type
class Query:
    @strawberry.field
    def check(self, kind: str) -> Annotated[Granted | Refused, strawberry.union("Check")]:
        return answer(kind)


async def answers(query: str, *, lookup: bool) -> ExecutionResult:
    schema = strawberry.Schema(query=Query)
    if lookup:
        assert union_members.install(schema) == ["Check"]
    rules = tuple(specified_rules)
    operations = Operations(schema._schema, rules, PlannedExecutor, lambda errors: None)
    return await operations.run(operation(query))


async def test_each_answer_is_the_member_strawberry_would_name() -> None:
    # given answers of either member, a member's subclass, and a cast
    kinds = ("granted", "refused", "courtesy", "cast")
    query = "{ " + " ".join(f'{k}: check(kind: "{k}") {{ __typename }}' for k in kinds) + " }"

    # when they are answered with the lookup installed, and without
    looked_up = await answers(query, lookup=True)
    strawberrys = await answers(query, lookup=False)

    # then each is the same member both times
    assert strawberrys.data == {
        "granted": {"__typename": "Granted"},
        "refused": {"__typename": "Refused"},
        "courtesy": {"__typename": "Granted"},
        "cast": {"__typename": "Granted"},
    }
    assert (looked_up.data, looked_up.errors) == (strawberrys.data, strawberrys.errors)
