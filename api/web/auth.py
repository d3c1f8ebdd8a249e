"""Bearer-token authentication for /graphql.

No Authorization header means anonymous, which reaches public fields only. A header that is
present but not a valid bearer token is refused outright with 401, never downgraded to anonymous.
"""

from __future__ import annotations

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from api.identity.tokens import Principal, TokenError, TokenReason, TokenVerifier


class PrincipalUser(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.principal.subject

    @property
    def identity(self) -> str:
        return self.principal.subject


class BearerAuthError(AuthenticationError):
    def __init__(self, reason: TokenReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class BearerTokenBackend(AuthenticationBackend):
    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():  # schemes are case-insensitive
            raise BearerAuthError(
                TokenReason.MALFORMED, "Send the token as `Authorization: Bearer <token>`."
            )
        try:
            principal = self.verifier.verify(token.strip())
        except TokenError as error:
            raise BearerAuthError(error.reason, error.message) from error
        return AuthCredentials(["authenticated"]), PrincipalUser(principal)


def auth_error_response(conn: HTTPConnection, exc: Exception) -> JSONResponse:
    """A GraphQL-shaped 401, so GraphQL clients show the reason like any other error."""
    reason = exc.reason if isinstance(exc, BearerAuthError) else TokenReason.MALFORMED
    error = {
        "message": str(exc),
        "extensions": {"code": "UNAUTHENTICATED", "reason": reason.value},
    }
    return JSONResponse(
        {"data": None, "errors": [error]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )
