from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from api.__main__ import main
from api.identity.tokens import TokenError, TokenReason, TokenVerifier
from tests.builders import TEST_JWT_SECRET, token


def verifier(
    *,
    issuer: str | None = None,
    audience: str | None = None,
    max_lifetime: timedelta = timedelta(hours=24),
) -> TokenVerifier:
    return TokenVerifier(
        TEST_JWT_SECRET, issuer=issuer, audience=audience, max_lifetime=max_lifetime
    )


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
        assert refused.value.reason is TokenReason.CLAIMS


def test_a_token_signed_with_another_algorithm_is_refused() -> None:
    hs512 = token(algorithm="HS512")

    with pytest.raises(TokenError):
        verifier().verify(hs512)


@pytest.mark.parametrize("subject", ["", "   ", "x" * 201])
def test_an_unusable_subject_is_refused(subject: str) -> None:
    with pytest.raises(TokenError):
        verifier().verify(token(sub=subject))


def test_the_longest_lifetime_is_the_configured_one() -> None:
    two_hours = verifier(max_lifetime=timedelta(hours=2))

    assert two_hours.verify(token(expires_in=timedelta(hours=2))).subject == "user-1"
    with pytest.raises(TokenError) as refused:
        two_hours.verify(token(expires_in=timedelta(hours=2, minutes=1)))
    assert refused.value.reason is TokenReason.LIFETIME
    assert "2 hours" in refused.value.message


def test_no_token_is_issued_for_longer_than_the_longest_lifetime() -> None:
    with pytest.raises(ValueError, match="at most"):
        verifier().issue(
            subject="user-1",
            email=None,
            roles=frozenset(),
            now=datetime.now(UTC),
            ttl=timedelta(hours=25),
        )


def test_dev_tokens_live_the_longest_lifetime_at_most(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # given a service whose tokens may live 2 hours
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JWT_SECRET", TEST_JWT_SECRET)
    monkeypatch.setenv("JWT_MAX_LIFETIME_HOURS", "2")

    # when a token is asked for without a lifetime, and then for longer than that
    assert main(["token", "--sub", "user-1"]) == 0
    issued = capsys.readouterr().out.strip()
    refused = main(["token", "--sub", "user-1", "--ttl-hours", "3"])

    # then the first lives 2 hours, and the second is not issued
    claims = jwt.decode(issued, TEST_JWT_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 2 * 3600
    assert refused == 2
    assert "JWT_MAX_LIFETIME_HOURS" in capsys.readouterr().err
