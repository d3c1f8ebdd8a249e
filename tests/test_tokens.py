from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.identity.tokens import TokenError, TokenVerifier
from tests.builders import TEST_JWT_SECRET, token


def verifier(*, issuer: str | None = None, audience: str | None = None) -> TokenVerifier:
    return TokenVerifier(TEST_JWT_SECRET, issuer=issuer, audience=audience)


def test_an_issued_token_verifies_to_the_same_principal() -> None:
    issued = verifier().issue(
        subject="user-9",
        email="u9@example.com",
        roles=frozenset({"support"}),
        now=datetime.now(UTC),
        ttl=timedelta(minutes=5),
    )

    principal = verifier().verify(issued)

    assert (principal.subject, principal.email, principal.staff_roles) == (
        "user-9",
        "u9@example.com",
        frozenset({"support"}),
    )


def test_issuer_and_audience_are_checked_when_configured() -> None:
    strict = verifier(issuer="https://auth.example.com", audience="billing")
    good = token(extra={"iss": "https://auth.example.com", "aud": "billing"})

    assert strict.verify(good).subject == "user-1"
    for bad in (token(), token(extra={"iss": "https://evil.example.com", "aud": "billing"})):
        with pytest.raises(TokenError) as refused:
            strict.verify(bad)
        assert refused.value.reason == "token_invalid"


def test_a_token_signed_with_another_algorithm_is_refused() -> None:
    hs512 = token(algorithm="HS512")

    with pytest.raises(TokenError):
        verifier().verify(hs512)


@pytest.mark.parametrize("subject", ["", "   ", "x" * 201])
def test_an_unusable_subject_is_refused(subject: str) -> None:
    with pytest.raises(TokenError):
        verifier().verify(token(sub=subject))
