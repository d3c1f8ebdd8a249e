"""A document sent again is answered from what its first run collected, and still answers each
request for itself: the object each request resolves to, and the variables it sends."""

from __future__ import annotations

import pytest
import strawberry
from graphql import specified_rules
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from api.graphql.execution import Operations
from api.graphql.field_plans import PlannedExecutor
from tests.builders import operation

pytestmark = pytest.mark.asyncio(loop_scope="session")


@strawberry.type
class Granted:
    allowed: bool
    reason: str


@strawberry.type
class Counted:
    used: int
    limit: int


@strawberry.type
class Query:
    @strawberry.field
    def check(self, info: strawberry.Info, code: str) -> Granted | Counted:
        # what the caller's state answers (here: the context), as `canUse` answers by plan
        if code == "feature" and info.context != "over the limit":
            return Granted(allowed=True, reason="plan")
        return Counted(used=3, limit=5)


def operations() -> Operations:
    schema = strawberry.Schema(query=Query)._schema
    return Operations(schema, tuple(specified_rules), PlannedExecutor, lambda errors: None)


BOTH = "... on Granted { allowed reason } ... on Counted { used limit }"


async def test_a_document_sent_again_answers_each_object_with_its_own_fields() -> None:
    # given one document whose field answers either member of a union, by the caller's state
    run = operations().run
    query = f'{{ check(code: "feature") {{ {BOTH} }} }}'

    # when it is sent by callers in different states, one after another
    states = ["", "over the limit", "", "over the limit"]
    answers = [await run(operation(query, context=state)) for state in states]

    # then every answer has its own object's fields, whatever the document answered before
    granted = {"check": {"allowed": True, "reason": "plan"}}
    counted = {"check": {"used": 3, "limit": 5}}
    assert [a.data for a in answers] == [granted, counted, granted, counted]
    assert [a.errors for a in answers] == [None] * 4


async def test_aliases_of_one_field_answer_each_for_itself() -> None:
    # given a document selecting the field twice, answering each member of the union
    run = operations().run
    query = f'{{ a: check(code: "feature") {{ {BOTH} }} b: check(code: "limit") {{ {BOTH} }} }}'

    # when it is sent twice
    answers = [await run(operation(query)) for _ in range(2)]

    # then both answers have each alias's own fields
    expected = {"a": {"allowed": True, "reason": "plan"}, "b": {"used": 3, "limit": 5}}
    assert [a.data for a in answers] == [expected] * 2


async def test_a_document_with_variables_collects_its_fields_per_request() -> None:
    # given a document whose selection depends on a variable
    run = operations().run
    query = (
        'query Q($why: Boolean!) { check(code: "feature") {'
        " ... on Granted { allowed reason @include(if: $why) } } }"
    )

    # when it is sent with the variable true, then false, then true
    answers = [await run(operation(query, variables={"why": why})) for why in (True, False, True)]

    # then each answer follows its own request's variable
    assert [a.data for a in answers] == [
        {"check": {"allowed": True, "reason": "plan"}},
        {"check": {"allowed": True}},
        {"check": {"allowed": True, "reason": "plan"}},
    ]


async def test_a_literal_skip_is_kept_with_the_document() -> None:
    # given a document that skips a field with a literal condition, and one that includes it
    run = operations().run
    skipped = '{ check(code: "feature") { ... on Granted { allowed reason @skip(if: true) } } }'
    kept = '{ check(code: "feature") { ... on Granted { allowed reason @skip(if: false) } } }'

    # when each is sent twice, interleaved
    answers = [await run(operation(q)) for q in (skipped, kept, skipped, kept)]

    # then each document keeps its own selection
    assert [a.data for a in answers] == [
        {"check": {"allowed": True}},
        {"check": {"allowed": True, "reason": "plan"}},
    ] * 2


async def test_each_operation_of_a_document_runs_by_its_name_every_time() -> None:
    # given a document of two named operations
    run = operations().run
    query = f'query A {{ check(code: "feature") {{ {BOTH} }} }}'
    query += f' query B {{ check(code: "limit") {{ {BOTH} }} }}'

    # when each is asked by name, twice, interleaved
    answers = [await run(operation(query, name=name)) for name in ("A", "B", "A", "B")]

    # then each answers its own operation
    granted = {"check": {"allowed": True, "reason": "plan"}}
    counted = {"check": {"used": 3, "limit": 5}}
    assert [a.data for a in answers] == [granted, counted] * 2


async def test_an_operation_that_is_not_named_or_not_allowed_is_refused_every_time() -> None:
    # given a document of two operations, and a query where only mutations are allowed
    run = operations().run
    two = 'query A { check(code: "feature") { __typename } } query B { __typename }'
    query = "{ __typename }"

    for _ in range(2):  # the second time from what the first worked out
        # when the document is sent without naming one: graphql-core asks for a name
        unnamed = await run(operation(two))
        assert unnamed.data is None
        assert [e.message for e in unnamed.errors or []] == [
            "Must provide operation name if query contains multiple operations."
        ]
        # when it names an operation it lacks: none can be chosen
        with pytest.raises(CannotGetOperationTypeError):
            await run(operation(two, name="C"))
        # and a query is refused where it is not allowed
        with pytest.raises(InvalidOperationTypeError):
            await run(operation(query, allowed=frozenset({OperationType.MUTATION})))
