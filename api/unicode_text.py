"""Whether a string is text the database can store: JSON and Python strings may hold lone
surrogates (`"\ud800"`), which BSON's UTF-8 cannot encode."""

from __future__ import annotations


def is_valid_unicode(value: str) -> bool:
    if value.isascii():  # O(1) in CPython: almost every string is settled here
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
