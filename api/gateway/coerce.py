"""Reading single fields out of Razorpay JSON, tolerating the shapes Razorpay actually sends.

Seen in Razorpay's own samples: `notes` as `[]` when empty, `captured` as the string "1", a
`contact` as a number, keys missing from older entities. Anything else unexpected raises
`MalformedEntity` rather than letting a wrong type leak into the domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no", ""}
Choice = TypeVar("Choice", bound=StrEnum)


class MalformedEntity(ValueError):
    """An entity lacks a field we rely on, or holds a value we cannot read."""


def required_str(data: Mapping[str, Any], key: str) -> str:
    value = optional_str(data, key)
    if not value:
        raise MalformedEntity(f"{key!r} is missing or empty")
    return value


def optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise MalformedEntity(f"{key!r} is not text: {type(value).__name__}")


def required_choice(data: Mapping[str, Any], key: str, kind: type[Choice]) -> Choice:
    """One of `kind`'s values (a status): a value Razorpay never documented is malformed."""
    value = optional_choice(data, key, kind)
    if value is None:
        raise MalformedEntity(f"{key!r} is missing or empty")
    return value


def optional_choice(data: Mapping[str, Any], key: str, kind: type[Choice]) -> Choice | None:
    text = optional_str(data, key)
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise MalformedEntity(f"{key!r} is not a {kind.__name__}: {text!r}") from None


def required_int(data: Mapping[str, Any], key: str) -> int:
    value = optional_int(data, key)
    if value is None:
        raise MalformedEntity(f"{key!r} is missing")
    return value


def int_or(data: Mapping[str, Any], key: str, default: int) -> int:
    value = optional_int(data, key)
    return default if value is None else value


def optional_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise MalformedEntity(f"{key!r} is not an integer: {value!r}")


def flag(data: Mapping[str, Any], key: str, *, default: bool) -> bool:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise MalformedEntity(f"{key!r} is not a boolean: {value!r}")


def timestamp(data: Mapping[str, Any], key: str) -> datetime | None:
    """Unix seconds as an aware UTC datetime."""
    seconds = optional_int(data, key)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedEntity(f"{key!r} is not a usable timestamp: {seconds}") from exc


def notes(data: Mapping[str, Any]) -> Mapping[str, str]:
    """Razorpay's notes as a read-only str→str mapping; an empty list means no notes."""
    value = data.get("notes")
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): "" if v is None else str(v) for k, v in value.items()})
    if value is None or isinstance(value, list | tuple):
        return MappingProxyType({})
    raise MalformedEntity(f"'notes' is neither an object nor a list: {type(value).__name__}")


def nested(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object, or an empty one when it is absent or null (e.g. a payment's `card`)."""
    value = data.get(key)
    return value if isinstance(value, Mapping) else _EMPTY


def items(collection: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The entities of a `{"entity": "collection", "items": [...]}` page."""
    found = collection.get("items")
    if not isinstance(found, list) or not all(isinstance(item, Mapping) for item in found):
        raise MalformedEntity("a collection without a list of 'items'")
    return found
