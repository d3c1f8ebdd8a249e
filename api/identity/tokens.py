"""Bearer tokens: HS256 JWTs verified with PyJWT, and issued for local development."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt

StaffRole = Literal["support", "admin"]
STAFF_ROLES: frozenset[str] = frozenset({"support", "admin"})
ALGORITHMS = ["HS256"]  # an allow-list: never trust the token's own `alg`


class TokenError(Exception):
    """A token was presented and is not acceptable; `reason` is a stable machine code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Principal:
    """The verified caller, straight from the token's claims."""

    subject: str
    email: str | None = None
    staff_roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class TokenVerifier:
    secret: str
    issuer: str | None = None
    audience: str | None = None

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "sub"], "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenError("token_expired", "The token has expired.") from error
        except jwt.InvalidTokenError as error:
            raise TokenError("token_invalid", f"The token is not valid: {error}.") from error
        return _principal(claims)

    def issue(
        self,
        *,
        subject: str,
        email: str | None,
        roles: frozenset[str],
        now: datetime,
        ttl: timedelta,
    ) -> str:
        claims: dict[str, Any] = {"sub": subject, "iat": now, "exp": now + ttl}
        if email:
            claims["email"] = email
        if roles:
            claims["roles"] = sorted(roles)
        if self.issuer:
            claims["iss"] = self.issuer
        if self.audience:
            claims["aud"] = self.audience
        return jwt.encode(claims, self.secret, algorithm=ALGORITHMS[0])


def _principal(claims: dict[str, Any]) -> Principal:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 200:
        raise TokenError("token_invalid", "The token's subject is not a usable id.")
    email = claims.get("email")
    roles = claims.get("roles", [])
    if not isinstance(roles, list):
        raise TokenError("token_invalid", "The token's roles claim must be a list.")
    return Principal(
        subject=subject,
        email=email if isinstance(email, str) else None,
        staff_roles=frozenset(r for r in roles if r in STAFF_ROLES),
    )
