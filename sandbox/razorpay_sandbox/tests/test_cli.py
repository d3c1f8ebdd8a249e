"""`python -m api sandbox ...` (razorpay_sandbox.cli.main) against the running sandbox over HTTP."""

from __future__ import annotations

import json

import pytest
import razorpay

from razorpay_sandbox.cli import main
from razorpay_sandbox.tests.builders import Env, now, subscription


@pytest.fixture
def cli_env(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setenv("DATA_DIR", str(env.data_dir))
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", str(env.port))
    return env


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_info_prints_base_url_and_keys(cli_env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "info") == {
        "base_url": cli_env.base_url,
        "key_id": cli_env.credentials.key_id,
        "key_secret": cli_env.credentials.key_secret,
        "webhook_secret": cli_env.credentials.webhook_secret,
    }


def test_pay_advance_next_charge(
    cli_env: Env, client: razorpay.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a subscription paid from the command line
    sub = subscription(client)
    handler = run(capsys, "pay", sub["id"])
    assert client.utility.verify_subscription_payment_signature(handler)
    # when its next charge is set to fail and a month passes
    run(capsys, "next-charge", sub["id"], "--fail", "card_declined")
    due = client.subscription.fetch(sub["id"])["charge_at"]
    hours = (due - now(cli_env)) // 3600 + 1
    moved = run(capsys, "advance", "--hours", str(hours))
    # then the renewal failed and the subscription is pending
    assert isinstance(moved, dict)
    assert [h["what"] for h in moved["happened"]] == ["charge failed"]
    assert client.subscription.fetch(sub["id"])["status"] == "pending"
    run(capsys, "next-charge", sub["id"], "--succeed")
    run(capsys, "advance", "--hours", "24")
    assert client.subscription.fetch(sub["id"])["status"] == "active"


def test_pay_with_an_international_card_allows_updates(
    cli_env: Env, client: razorpay.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    sub = subscription(client)
    run(capsys, "pay", sub["id"], "--international")
    assert client.subscription.edit(sub["id"], {"quantity": 2})["quantity"] == 2


def test_pay_with_failure_prints_checkout_error(
    cli_env: Env, client: razorpay.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    order = client.order.create({"amount": 5000, "currency": "INR"})
    failed = run(capsys, "pay", order["id"], "--fail", "card_declined")
    assert isinstance(failed, dict) and failed["error"]["reason"] == "card_declined"


def test_errors_exit_non_zero(cli_env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pay", "sub_00000000000000"]) == 1
    assert "The id provided does not exist" in capsys.readouterr().err
    assert main(["advance"]) == 2
