"""What a verified token's claims must hold before anyone acts on them.

PyJWT checks the signature, the algorithm, `iss`, `aud` and that `exp` and `sub` are present;
everything a claim's type or size could break later (a list inside `roles`, a number as
`email`, an `exp` of 10^30) is checked here, and refused in our own words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, TypeGuard

from api.unicode_text import is_valid_unicode

STAFF_ROLES: frozenset[str] = frozenset({"support", "admin"})
MAX_SUBJECT = 200
MAX_EMAIL = 320  # RFC 5321: 64 for the local part, @, 255 for the domain


class TokenReason(StrEnum):
    """Why a presented token was refused: `extensions.reason` of the 401."""

    MALFORMED = "token_malformed"  # not `Bearer <token>`, or not a JWT at all
    SIGNATURE = "token_signature"  # not signed with this service's secret and algorithm
    EXPIRED = "token_expired"
    LIFETIME = "token_lifetime"  # `exp` further past `iat` (or now) than JWT_MAX_LIFETIME_HOURS
    CLAIMS = "token_claims"  # a claim missing, of the wrong type, not yet valid, wrong iss/aud


class TokenError(Exception):
    """A token was presented and is not acceptable."""

    def __init__(self, reason: TokenReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Principal:
    """The verified caller, straight from the token's claims."""

    subject: str
    email: str | None = None
    staff_roles: frozenset[str] = field(default_factory=frozenset)


def check_times(claims: dict[str, Any], *, now: float, max_lifetime: timedelta) -> None:
    """`exp`, `iat` and `nbf` as NumericDates; expired, not yet valid, or too long-lived."""
    expires = _numeric_date(claims, "exp")
    issued = _numeric_date(claims, "iat")
    not_before = _numeric_date(claims, "nbf")
    if expires is None:
        raise _claims("The token has no `exp` claim.")
    if expires <= now:
        raise TokenError(TokenReason.EXPIRED, "The token has expired.")
    if any(moment is not None and moment > now for moment in (issued, not_before)):
        raise _claims("The token is not valid yet: its `iat` or `nbf` is in the future.")
    if expires - (now if issued is None else issued) > max_lifetime.total_seconds():
        hours = f"{max_lifetime.total_seconds() / 3600:g}"
        raise TokenError(
            TokenReason.LIFETIME,
            f"The token lives longer than this service accepts: at most {hours} hours.",
        )


def principal_from(claims: dict[str, Any]) -> Principal:
    return Principal(
        subject=_subject(claims.get("sub")),
        email=_email(claims.get("email")),
        staff_roles=_roles(claims.get("roles")),
    )


def _numeric_date(claims: dict[str, Any], name: str) -> int | float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _claims(f"The token's `{name}` must be a number of seconds since 1970.")
    if isinstance(value, float) and not math.isfinite(value):
        raise _claims(f"The token's `{name}` must be a finite number.")
    return value


def _subject(value: object) -> str:
    if not _text(value, MAX_SUBJECT) or not value.strip():
        raise _claims(
            f"The token's `sub` must be a non-blank string of at most {MAX_SUBJECT} characters."
        )
    return value


def _email(value: object) -> str | None:
    if value is None:
        return None
    if not _text(value, MAX_EMAIL):
        raise _claims(f"The token's `email` must be a string of at most {MAX_EMAIL} characters.")
    return value


def _roles(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(role, str) for role in value):
        raise _claims("The token's `roles` must be a list of strings.")
    return frozenset(role for role in value if role in STAFF_ROLES)  # unknown roles: dropped


def _text(value: object, longest: int) -> TypeGuard[str]:
    """A string the database can store (no lone surrogate) of at most `longest` characters."""
    return isinstance(value, str) and len(value) <= longest and is_valid_unicode(value)


def _claims(message: str) -> TokenError:
    return TokenError(TokenReason.CLAIMS, message)
