"""The body of `POST /graphql`, read once and checked before anything runs.

Strawberry's own reading answers 500 for bodies a careless or hostile client sends (`null`, a
number, bytes that are not UTF-8, arrays nested 100k deep). Here the body is decoded and parsed
once (`json.loads` is C), its nesting is bounded by one iterative walk, and every field Strawberry
reads is checked for its type, so each of those is a 4xx with a plain message instead.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from strawberry.http import GraphQLRequestData

from api.unicode_text import is_valid_unicode

MAX_JSON_DEPTH = 64  # a GraphQL request needs a handful of levels; variables rarely more than ten


class RequestErrorCode(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"


class BadRequestBody(Exception):
    """The body is not a GraphQL request; the message says what to send instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_request(body: bytes) -> GraphQLRequestData:
    data = _decoded(body)
    if not isinstance(data, dict):
        raise BadRequestBody("The request body must be a JSON object with a `query` string.")
    _check_tree(data)
    return GraphQLRequestData(
        query=_field(data, "query", str, "a string"),
        variables=_field(data, "variables", dict, "an object"),
        operation_name=_field(data, "operationName", str, "a string"),
        extensions=_field(data, "extensions", dict, "an object"),
        protocol="http",  # this view serves no streaming transport
    )


def _decoded(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BadRequestBody("The request body must be JSON encoded as UTF-8.") from error
    except RecursionError as error:  # the C parser's own guard, far past MAX_JSON_DEPTH
        raise _too_deep() from error
    except ValueError as error:  # JSONDecodeError, or an integer of thousands of digits
        raise BadRequestBody("The request body is not valid JSON.") from error


def _too_deep() -> BadRequestBody:
    return BadRequestBody(f"The request body is nested more than {MAX_JSON_DEPTH} levels deep.")


def _check_tree(data: dict[str, Any]) -> None:
    """One iterative walk: no container deeper than MAX_JSON_DEPTH (the body itself is level 1),
    and no string that is not Unicode text (a lone surrogate from a `\\ud800` escape, which the
    database could not store)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif isinstance(child, str) and not is_valid_unicode(child):
                raise BadRequestBody("The request body holds a string that is not valid Unicode.")


def _field(data: dict[str, Any], name: str, kind: type, described: str) -> Any:
    value = data.get(name)
    if value is None or isinstance(value, kind):
        return value
    raise BadRequestBody(f"The request's `{name}` must be {described} when it is given.")
