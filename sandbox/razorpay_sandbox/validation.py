"""Request-body checks with Razorpay's wording ("The x field is required.", extra fields → 400)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from razorpay_sandbox.errors import extra_fields, invalid

Body = dict[str, Any]

MIN_AMOUNT = 100
MAX_NOTES = 15
MAX_NOTE_LENGTH = 256


def only(body: Body, allowed: Iterable[str]) -> None:
    extra = sorted(set(body) - set(allowed))
    if extra:
        raise extra_fields(extra)


def required(body: Body, name: str) -> Any:
    value = body.get(name)
    if value is None or value == "":
        raise invalid(f"The {name} field is required.", name)
    return value


def integer(body: Body, name: str, *, default: int | None = None, minimum: int = 0) -> int | None:
    value = body.get(name)
    if value is None:
        return default
    number = as_int(value, name)
    if number < minimum:
        raise invalid(f"The {name} must be at least {minimum}.", name)
    return number


def as_int(value: Any, name: str) -> int:
    # Razorpay accepts integers sent as digit strings (the SDK's own fixtures send amount "100").
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise invalid(f"The {name} must be an integer.", name)
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        raise invalid(f"The {name} must be an integer.", name)
    return int(value)


def amount(body: Body, name: str = "amount", *, required_: bool = True) -> int | None:
    if body.get(name) is None:
        if required_:
            required(body, name)
        return None
    value = as_int(body[name], name)
    if value < MIN_AMOUNT:
        raise invalid("The amount must be at least INR 1.00", name)
    return value


def text(body: Body, name: str, *, max_length: int, min_length: int = 0) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"The {name} must be a string.", name)
    if len(value) > max_length:
        raise invalid(f"The {name} may not be greater than {max_length} characters.", name)
    if len(value) < min_length:
        raise invalid(f"The {name} must be at least {min_length} characters.", name)
    return value


def flag(body: Body, name: str, *, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    # SDK users send booleans, 0/1 and "0"/"1" alike; Razorpay accepts all of them.
    if value in (True, 1, "1", "true"):
        return True
    if value in (False, 0, "0", "false"):
        return False
    raise invalid(f"The selected {name} is invalid.", name)


def choice(body: Body, name: str, options: Iterable[str], *, default: str | None = None) -> str:
    value = body.get(name, default)
    if value is None:
        raise invalid(f"The {name} field is required.", name)
    if value not in set(options):
        raise invalid(f"The selected {name} is invalid.", name)
    return str(value)


def notes(body: Body, name: str = "notes") -> dict[str, str]:
    value = body.get(name)
    if value is None or value == [] or value == {}:
        return {}
    if not isinstance(value, dict):
        raise invalid("The notes field must be an object of key/value pairs.", name)
    if len(value) > MAX_NOTES:
        raise invalid(f"Number of notes cannot exceed {MAX_NOTES}.", name)
    return {str(key): note_value(key, item) for key, item in value.items()}


def note_value(key: Any, item: Any) -> str:
    if isinstance(item, dict | list):
        raise invalid(f"The notes.{key} must be a string or a number.", "notes")
    result = "" if item is None else str(item)
    if len(result) > MAX_NOTE_LENGTH or len(str(key)) > MAX_NOTE_LENGTH:
        raise invalid(f"notes.{key} may not be greater than {MAX_NOTE_LENGTH} characters.", "notes")
    return result


def notes_out(values: dict[str, str]) -> dict[str, str] | list[Any]:
    # Razorpay serialises empty notes as [] (a PHP empty array), so clients must cope with both.
    return dict(values) if values else []
