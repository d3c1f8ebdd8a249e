from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from api.__main__ import main
from api.app import create_app
from api.settings import ConfigurationError, check_startable
from tests.conftest import make_settings
from tests.serving import in_process

PROD_SECRETS = {
    "razorpay_key_id": "rzp_test_abcdefghijklmn",
    "razorpay_key_secret": "secret",
    "razorpay_webhook_secret": "whsecret",
}


def test_prod_refuses_to_start_and_names_every_missing_secret() -> None:
    settings = make_settings(app_env="prod", jwt_secret=None)

    with pytest.raises(ConfigurationError) as refused:
        check_startable(settings)

    message = str(refused.value)
    for name in (
        "MONGODB_URI",
        "RAZORPAY_KEY_ID",
        "RAZORPAY_KEY_SECRET",
        "RAZORPAY_WEBHOOK_SECRET",
        "JWT_SECRET",
    ):
        assert name in message


def test_prod_treats_blank_secrets_as_missing() -> None:
    blank = {name: "" for name in ("mongodb_uri", "jwt_secret", *PROD_SECRETS)}
    settings = make_settings(app_env="prod", **blank)

    with pytest.raises(ConfigurationError) as refused:
        check_startable(settings)

    assert "JWT_SECRET" in str(refused.value)
    assert "RAZORPAY_WEBHOOK_SECRET" in str(refused.value)


def test_prod_refuses_a_jwt_secret_that_can_be_guessed() -> None:
    settings = make_settings(
        app_env="prod", mongodb_uri="mongodb://db/", jwt_secret="short", **PROD_SECRETS
    )

    with pytest.raises(ConfigurationError, match="JWT_SECRET is too short"):
        check_startable(settings)


def test_half_configured_razorpay_keys_are_refused() -> None:
    settings = make_settings(razorpay_key_id="rzp_test_abcdefghijklmn")

    with pytest.raises(ConfigurationError, match="RAZORPAY_KEY_SECRET"):
        check_startable(settings)


def test_dev_starts_with_no_settings_at_all() -> None:
    check_startable(make_settings(jwt_secret=None))


@pytest.mark.asyncio(loop_scope="session")
async def test_prod_serves_no_graphiql_and_no_introspection(
    mongodb_uri: str, database_name: str, tmp_path: Path
) -> None:
    settings = make_settings(
        app_env="prod",
        mongodb_uri=mongodb_uri,
        mongodb_db=database_name,
        data_dir=tmp_path,
        **PROD_SECRETS,
    )
    app = create_app(settings)
    async with in_process(app) as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        introspection = await http.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}
        )
        plain = await http.post("/graphql", json={"query": "{ viewer { id } }"})

    assert page.status_code == 404
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    assert plain.json() == {"data": {"viewer": None}}


@pytest.mark.asyncio(loop_scope="session")
async def test_dev_serves_graphiql(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_a_bad_setting_is_named_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")

    status = main(["token", "--sub", "user-1"])

    assert status == 2
    error = capsys.readouterr().err
    assert "APP_ENV='production'" in error
    assert "Traceback" not in error


def test_web_concurrency_is_a_count_of_workers_or_one_per_cpu() -> None:
    # given the values a platform or the Docker image sets
    # then "auto" is one worker per CPU, a number is that many, and none is one
    assert make_settings(web_concurrency="auto").workers == (os.cpu_count() or 1)
    assert make_settings(web_concurrency="2").workers == 2
    assert make_settings().workers == 1
    with pytest.raises(ValidationError):
        make_settings(web_concurrency="0")
