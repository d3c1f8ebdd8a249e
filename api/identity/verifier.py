"""The token verifier of a configuration: its secret, issuer, audience and longest lifetime."""

from __future__ import annotations

from datetime import timedelta

from api.identity.dev_secret import jwt_secret
from api.identity.tokens import TokenVerifier
from api.settings import Settings


def token_verifier(settings: Settings) -> TokenVerifier:
    """One verifier for the service and for `python -m api token`, so both agree."""
    return TokenVerifier(
        jwt_secret(settings),
        settings.jwt_issuer,
        settings.jwt_audience,
        max_lifetime=timedelta(hours=settings.jwt_max_lifetime_hours),
    )
