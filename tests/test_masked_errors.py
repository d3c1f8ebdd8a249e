"""A bug in a resolver reaches the caller as "Unexpected error." at its path, and the log with
its traceback; deliberate errors keep their message and code."""

from __future__ import annotations

import pytest
import strawberry
from graphql import GraphQLError, specified_rules

from api.billing.convergence import NotConverged
from api.graphql.errors import FORBIDDEN, coded_error
from api.graphql.execution import BUSY, MASKED_MESSAGE, Operations
from api.graphql.field_plans import PlannedExecutor
from tests.builders import operation

pytestmark = pytest.mark.asyncio(loop_scope="session")


@strawberry.type
class Query:
    @strawberry.field
    def broken(self) -> int | None:
        raise RuntimeError("connection string mongodb://secret@db")

    @strawberry.field
    def refused(self) -> int | None:
        raise coded_error("You may not do this.", FORBIDDEN)

    @strawberry.field
    def fine(self) -> int:
        return 1

    @strawberry.field
    def contended(self) -> int | None:
        try:
            raise NotConverged("payment pay_X did not settle in 8 rounds")
        except NotConverged as error:  # as a caller that wraps it
            raise RuntimeError("recording the payment failed") from error


def operations(seen: list[GraphQLError]) -> Operations:
    schema = strawberry.Schema(query=Query)._schema
    return Operations(schema, tuple(specified_rules), PlannedExecutor, seen.extend)


async def test_a_bug_is_masked_for_the_caller_and_kept_for_the_log() -> None:
    # given a schema whose `broken` field raises an unexpected exception
    seen: list[GraphQLError] = []

    # when a document selects it beside a refused field and a fine one
    result = await operations(seen).run(operation("{ broken refused fine }"))

    # then the caller sees the bug only as "Unexpected error." at its path, the refusal as it is
    assert result.data == {"broken": None, "refused": None, "fine": 1}
    answered = {tuple(e.path or ()): e.formatted for e in result.errors or []}
    assert answered[("broken",)]["message"] == MASKED_MESSAGE
    assert "secret" not in str(answered[("broken",)])
    assert answered[("refused",)]["extensions"] == {"code": FORBIDDEN}
    # and the error handler (which logs) saw the original exception
    originals = [e.original_error for e in seen]
    assert any(isinstance(error, RuntimeError) for error in originals)


async def test_a_document_is_checked_the_same_every_time_it_is_sent() -> None:
    # given a document with an unknown field, sent twice (the second time from the cache)
    seen: list[GraphQLError] = []
    run = operations(seen).run

    # when it is run twice
    answers = [await run(operation("{ nope }")) for _ in range(2)]

    # then both are refused alike, and nothing ran
    assert [a.data for a in answers] == [None, None]
    assert [[e.message for e in a.errors or []] for a in answers] == [
        ["Cannot query field 'nope' on type 'Query'."]
    ] * 2


async def test_writers_that_did_not_settle_ask_the_caller_to_try_again() -> None:
    # given a field whose write did not settle against concurrent writers (NotConverged)
    seen: list[GraphQLError] = []

    # when a document selects it beside a fine field
    result = await operations(seen).run(operation("{ contended fine }"))

    # then the caller is told to try again, with a code, and nothing internal; the rest answers
    assert result.data == {"contended": None, "fine": 1}
    (error,) = [e.formatted for e in result.errors or []]
    assert error["extensions"] == {"code": BUSY}
    assert "try again" in error["message"]
    assert "pay_X" not in str(error)
