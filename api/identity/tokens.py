"""Bearer tokens: HS256 JWTs verified with PyJWT, and issued for local development.

A refusal carries one of a few stable reasons (`TokenReason`) and a message of our own: PyJWT's
texts ("Invalid header string: 'utf-8' codec can't decode byte ...") never reach callers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt

from api.identity.claims import (
    STAFF_ROLES,
    Principal,
    TokenError,
    TokenReason,
    check_times,
    principal_from,
)

__all__ = ["STAFF_ROLES", "Principal", "StaffRole", "TokenError", "TokenReason", "TokenVerifier"]

StaffRole = Literal["support", "admin"]
ALGORITHMS = ["HS256"]  # an allow-list: never trust the token's own `alg`
DEFAULT_MAX_LIFETIME = timedelta(hours=24)

# Most specific first: InvalidSignatureError is a DecodeError.
REFUSALS: tuple[tuple[type[Exception], TokenReason, str], ...] = (
    (jwt.InvalidSignatureError, TokenReason.SIGNATURE, "The token's signature does not match."),
    (jwt.InvalidAlgorithmError, TokenReason.SIGNATURE, "The token must be signed with HS256."),
    (jwt.DecodeError, TokenReason.MALFORMED, "The token is not a well-formed JWT."),
    (jwt.ExpiredSignatureError, TokenReason.EXPIRED, "The token has expired."),
    (
        jwt.MissingRequiredClaimError,
        TokenReason.CLAIMS,
        "The token lacks a required claim (`sub`, `exp`, or the configured `aud`).",
    ),
    (
        jwt.InvalidIssuerError,
        TokenReason.CLAIMS,
        "The token was issued by another issuer than this service trusts.",
    ),
    (jwt.InvalidAudienceError, TokenReason.CLAIMS, "The token was issued for another audience."),
    (jwt.InvalidTokenError, TokenReason.CLAIMS, "The token's claims are not usable."),
)


@dataclass(frozen=True)
class TokenVerifier:
    secret: str
    issuer: str | None = None
    audience: str | None = None
    max_lifetime: timedelta = DEFAULT_MAX_LIFETIME

    def verify(self, token: str) -> Principal:
        claims = self._decoded(token)
        check_times(claims, now=time.time(), max_lifetime=self.max_lifetime)
        return principal_from(claims)

    def _decoded(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.secret,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                audience=self.audience,
                # PyJWT checks the signature, iss and aud; `check_times` checks the times (and
                # refuses an `exp` PyJWT would take: a string, 10^30), `principal_from` the rest.
                options={
                    "require": ["exp", "sub"],
                    "verify_aud": self.audience is not None,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_sub": False,  # `principal_from` checks it, and says what is wrong
                },
            )
        except jwt.PyJWTError as error:
            raise refusal(error) from error
        return claims

    def issue(
        self,
        *,
        subject: str,
        email: str | None,
        roles: frozenset[str],
        now: datetime,
        ttl: timedelta,
    ) -> str:
        if ttl > self.max_lifetime:
            raise ValueError(f"a token may live at most {self.max_lifetime} here")
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


def refusal(error: Exception) -> TokenError:
    for kind, reason, message in REFUSALS:
        if isinstance(error, kind):
            return TokenError(reason, message)
    return TokenError(TokenReason.MALFORMED, "The token could not be read.")
