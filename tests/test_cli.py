"""`python -m api ...` as a newcomer meets it: every command explains itself, a bad failure reason
is refused before anything is sent, and `token` never signs with a secret the service lacks."""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

import pytest

from api.__main__ import build_parser, main
from razorpay_sandbox.cli import parser as sandbox_parser
from tests.api_command import api_command

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_api(*argv: str) -> subprocess.CompletedProcess[str]:
    # This checkout's sandbox, not whichever one the environment installed.
    path = os.pathsep.join([str(REPO_ROOT / "sandbox"), str(REPO_ROOT)])
    env = {**os.environ, "PYTHONPATH": path}
    return api_command(*argv, env=env)


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["token"],
        ["schema"],
        ["plans"],
        ["sandbox"],
        ["sandbox", "pay"],
        ["sandbox", "advance"],
        ["sandbox", "next-charge"],
    ],
    ids=lambda command: " ".join(command) or "api",
)
def test_every_command_answers_help(command: list[str]) -> None:
    # when a command is asked for its help
    done = run_api(*command, "--help")

    # then it prints its usage and succeeds
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m api")


def options_without_help(parser: argparse.ArgumentParser) -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                missing += [f"{name} {option}" for option in options_without_help(sub)]
        elif not action.help:
            missing.append("/".join(action.option_strings) or action.dest)
    return missing


def test_every_option_says_what_it_does() -> None:
    assert options_without_help(build_parser()) == []
    assert options_without_help(sandbox_parser()) == []


@pytest.mark.parametrize("command", ["next-charge", "pay"])
def test_an_unknown_failure_reason_is_refused(command: str) -> None:
    # when a charge is told to fail for a reason the sandbox does not know
    done = run_api("sandbox", command, "sub_00000000000000", "--fail", "not_a_reason")

    # then nothing is sent: the usage error names the reasons it knows
    assert done.returncode == 2
    assert "invalid choice: 'not_a_reason'" in done.stderr
    assert "insufficient_fund" in done.stderr


@pytest.fixture
def no_service_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A DATA_DIR the service never ran in, and no JWT_SECRET."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.setenv("APP_ENV", "dev")
    return tmp_path / "var"


def test_token_refuses_to_sign_with_a_secret_the_service_lacks(
    no_service_here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when a token is asked for where the service never ran
    status = main(["token", "--sub", "user-1"])

    # then none is printed, no secret is made, and the error names the DATA_DIR it looked in
    printed = capsys.readouterr()
    assert status == 2
    assert printed.out == ""
    assert not (no_service_here / "jwt_secret").exists()
    assert str(no_service_here.resolve() / "jwt_secret") in printed.err
    assert "--new-secret" in printed.err


def test_token_makes_a_new_secret_only_when_asked_and_says_where(
    no_service_here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when a token is asked for with --new-secret, and then again without it
    first = main(["token", "--sub", "user-1", "--new-secret"])
    made = capsys.readouterr()
    second = main(["token", "--sub", "user-1"])
    again = capsys.readouterr()

    # then the secret is made once, loudly, and the next token uses it quietly
    assert (first, second) == (0, 0)
    assert (no_service_here / "jwt_secret").exists()
    assert f"new dev JWT secret at {no_service_here.resolve() / 'jwt_secret'}" in made.err
    assert made.out.strip() and again.out.strip()
    assert again.err == ""
