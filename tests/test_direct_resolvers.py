"""A field given a direct resolver (`api.graphql.direct_resolvers`) answers what Strawberry's own
resolver would have answered: the same schema, with and without them, gives the same result."""

from __future__ import annotations

from typing import Annotated

import pytest
import strawberry
from graphql import specified_rules
from strawberry.types import ExecutionResult

from api.graphql import direct_resolvers
from api.graphql.execution import Operations
from api.graphql.field_plans import PlannedExecutor
from tests.builders import operation

pytestmark = pytest.mark.asyncio(loop_scope="session")


class PaymentGone(Exception):
    pass


@strawberry.type
class Gone:
    message: str


@strawberry.type
class Found:
    id: str


class GoneHandler(strawberry.ExceptionHandler[PaymentGone, Gone]):
    def handle(self, exception: PaymentGone, *, field: object, info: object) -> Gone:
        return Gone(message=str(exception))


@strawberry.type
class Query:
    @strawberry.field
    def note(self, text: strawberry.Maybe[str] = None) -> str:
        # Maybe: absent (None) is not the same as given (`Some(value)`)
        return "absent" if text is None else f"given {text.value}"

    @strawberry.field
    def payment(self, id: str) -> Annotated[Found | Gone, strawberry.union("PaymentResult")]:
        raise PaymentGone(f"payment {id} was deleted")


async def answers(query: str, *, direct: bool) -> ExecutionResult:
    schema = strawberry.Schema(query=Query, exception_handlers=[GoneHandler()])
    if direct:
        direct_resolvers.install(schema)
    rules = tuple(specified_rules)
    operations = Operations(schema._schema, rules, PlannedExecutor, lambda errors: None)
    return await operations.run(operation(query))


async def test_a_maybe_argument_reaches_the_resolver_wrapped_as_strawberry_wraps_it() -> None:
    # given a field whose argument is `Maybe[str]`
    query = '{ given: note(text: "hi") absent: note }'

    # when it is answered with direct resolvers installed, and without
    direct = await answers(query, direct=True)
    strawberrys = await answers(query, direct=False)

    # then the resolver saw the same thing both times
    assert strawberrys.data == {"given": "given hi", "absent": "absent"}
    assert (direct.data, direct.errors) == (strawberrys.data, strawberrys.errors)


async def test_an_exception_handler_still_answers_for_a_field_with_plain_arguments() -> None:
    # given a schema whose exception handler turns PaymentGone into the Gone member
    query = '{ payment(id: "pay_1") { ... on Gone { message } ... on Found { id } } }'

    # when the field raises it, with direct resolvers installed, and without
    direct = await answers(query, direct=True)
    strawberrys = await answers(query, direct=False)

    # then the handler answered both times, not a masked error
    assert strawberrys.data == {"payment": {"message": "payment pay_1 was deleted"}}
    assert (direct.data, direct.errors) == (strawberrys.data, strawberrys.errors)
