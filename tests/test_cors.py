"""A web app on another origin calls /graphql, and pays through the sandbox's Checkout in dev,
when its origin is in CORS_ORIGINS; any other origin gets no CORS headers, so browsers block it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.__main__ import main
from api.services import Services
from api.settings import ConfigurationError, Settings, check_startable
from tests.builders import TEST_JWT_SECRET
from tests.conftest import make_settings
from tests.own_app import own_app

WEB_APP = "https://app.example.com"
OTHER = "https://evil.example.net"
QUERY = {"query": "{ __typename }"}

ON_THE_SESSION_LOOP = pytest.mark.asyncio(loop_scope="session")


def preflight(origin: str, *, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type",
    }


@ON_THE_SESSION_LOOP
async def test_an_allowed_origin_may_call_graphql_before_auth_and_budget(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given a service that allows the web app's origin, and one anonymous request a minute
    limits = {"cors_origins": (WEB_APP,), "rate_limit_anonymous": "1/1m"}
    async with own_app(settings, tmp_path / "var", **limits) as app:
        # when the browser asks first (three times: each page load may), then posts
        asked = [await app.client.options("/graphql", headers=preflight(WEB_APP)) for _ in range(3)]
        posted = await app.client.post("/graphql", json=QUERY, headers={"Origin": WEB_APP})
        # ...and a page on another origin does the same
        refused = await app.client.options("/graphql", headers=preflight(OTHER))
        foreign = await app.client.post(
            "/graphql", json=QUERY, headers={"Origin": OTHER, "Authorization": "Bearer x"}
        )

    # then the preflights are answered with what the app may send, spending no budget
    answer = asked[0]
    assert [a.status_code for a in asked] == [200, 200, 200]
    assert answer.headers["access-control-allow-origin"] == WEB_APP
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert answer.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in answer.headers
    # and the post is answered for the page to read
    assert posted.status_code == 200
    assert posted.json() == {"data": {"__typename": "Query"}}
    assert posted.headers["access-control-allow-origin"] == WEB_APP
    # and the other origin gets no CORS header at all, so its browser shows it nothing
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert foreign.status_code == 401
    assert "access-control-allow-origin" not in foreign.headers


@ON_THE_SESSION_LOOP
async def test_an_allowed_origin_may_use_the_sandbox_checkout_in_dev(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    # given a dev service that allows the web app's origin
    async with own_app(settings, tmp_path / "var", cors_origins=(WEB_APP,)) as app:
        # when a page there loads checkout.js and its modal posts a payment (with a wrong key)
        script = await app.client.get("/sandbox/checkout.js", headers={"Origin": WEB_APP})
        asked = await app.client.options("/sandbox/checkout/pay", headers=preflight(WEB_APP))
        paid = await app.client.post(
            "/sandbox/checkout/pay",
            json={"key": "rzp_test_wrong", "order_id": "order_00000000000000"},
            headers={"Origin": WEB_APP},
        )
        # ...while the sandbox's REST API stays same-origin
        rest = await app.client.options("/sandbox/v1/orders", headers=preflight(WEB_APP))

    # then the browser may run the script, send the payment, and read the answer
    assert script.headers["access-control-allow-origin"] == WEB_APP
    assert asked.status_code == 200
    assert asked.headers["access-control-allow-origin"] == WEB_APP
    assert paid.status_code == 401
    assert paid.headers["access-control-allow-origin"] == WEB_APP
    assert "access-control-allow-origin" not in rest.headers


@ON_THE_SESSION_LOOP
async def test_without_cors_origins_no_origin_is_allowed(client: httpx.AsyncClient) -> None:
    # when a page on another origin asks the service as configured by default
    asked = await client.options("/graphql", headers=preflight(WEB_APP))

    # then it is not told it may call
    assert "access-control-allow-origin" not in asked.headers


PROD = {
    "APP_ENV": "prod",
    "MONGODB_URI": "mongodb://db.invalid:27017/",
    "RAZORPAY_KEY_ID": "rzp_live_x",
    "RAZORPAY_KEY_SECRET": "s",
    "RAZORPAY_WEBHOOK_SECRET": "w",
    "JWT_SECRET": TEST_JWT_SECRET,
}


def test_prod_refuses_any_origin_at_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a production configuration that lets every origin call
    for name, value in {**PROD, "CORS_ORIGINS": "https://app.example.com, *"}.items():
        monkeypatch.setenv(name, value)

    # when the service is started
    status = main(["serve"])

    # then it does not start, and says why in one line
    error = capsys.readouterr().err
    assert status == 2
    assert error.startswith("error: CORS_ORIGINS=* is refused in APP_ENV=prod")
    assert error.count("\n") == 1


def test_dev_allows_any_origin_and_origins_are_read_as_browsers_send_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given origins written with spaces and a trailing slash, and `*` in dev
    monkeypatch.setenv("CORS_ORIGINS", " https://app.example.com/ , http://localhost:5173,*")

    # then they are the origins a browser sends, and dev starts with them
    read = Settings(app_env="dev")
    assert read.cors_origins == ("https://app.example.com", "http://localhost:5173", "*")
    check_startable(read)
    with pytest.raises(ConfigurationError, match="CORS_ORIGINS"):
        check_startable(
            make_settings(**{k.lower(): v for k, v in PROD.items()}, cors_origins=("*",))
        )


@pytest.mark.parametrize("written", ["app.example.com", "https://app.example.com/path"])
def test_a_value_that_is_not_an_origin_is_named(
    written: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", written)

    assert main(["token", "--sub", "user-1"]) == 2
    assert f"CORS_ORIGINS={written!r}" in capsys.readouterr().err
