"""Checks of the free-form arguments several mutations take (idempotency keys, Razorpay ids):
one shape each, refused as BAD_USER_INPUT naming the argument."""

from __future__ import annotations

import re

from api.graphql.errors import bad_input

KEY = re.compile(r"[A-Za-z0-9_\-]{10,64}")
RAZORPAY_ID = re.compile(r"[A-Za-z0-9_]{1,64}")


def idempotency_key(value: str, argument: str) -> str:
    if not KEY.fullmatch(value):
        raise bad_input(
            f"`{argument}` must be 10-64 characters from A-Z a-z 0-9 _ -.", argument=argument
        )
    return value


def razorpay_id(value: str, argument: str) -> str:
    if not RAZORPAY_ID.fullmatch(value):
        raise bad_input(f"`{argument}` is not a Razorpay id.", argument=argument)
    return value
