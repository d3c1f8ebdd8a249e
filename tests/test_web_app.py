"""The web app's files, its routes, the dev-only sign-in endpoint, and the Checkout script the
API names: over HTTP, in dev and in prod."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import httpx
import pytest

from api.app import create_app
from api.graphql.checkout_config import RAZORPAY_CHECKOUT_JS
from api.settings import Settings
from tests.conftest import make_settings
from tests.serving import in_process
from tests.web_build import require_web_build

pytestmark = pytest.mark.asyncio(loop_scope="session")

CHECKOUT_CONFIG = {"query": "{ checkoutConfig { scriptUrl sandbox } }"}


@pytest.fixture
def prod_app_settings(prod_settings: dict[str, object]) -> dict[str, object]:
    """The production settings, with the web app built (whether prod serves it is the test's)."""
    return {**prod_settings, "web_app_dir": require_web_build()}


def served(settings: Settings) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    return in_process(create_app(settings))


async def test_dev_serves_the_app_at_its_routes_and_leaves_the_api_alone(
    client: httpx.AsyncClient,
) -> None:
    require_web_build()
    # when the app's routes are asked for, then each is its page, under a CSP
    for path in ("/", "/billing", "/some/deep/link"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert '<div id="root">' in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
    # and a missing file is a 404, not the page; so is a write
    assert (await client.get("/assets/missing.js")).status_code == 404
    assert (await client.post("/billing")).status_code == 404
    # and the API's own routes answer as before
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.post("/graphql", json={"query": "{ plans { id } }"})).status_code == 200


async def test_dev_token_signs_in_as_the_named_user_and_role(client: httpx.AsyncClient) -> None:
    # given a token minted for a support user
    minted = await client.post(
        "/dev/token",
        json={"subject": "helper-7", "email": "helper@example.com", "roles": ["support"]},
    )
    assert minted.status_code == 200
    bearer = {"Authorization": f"Bearer {minted.json()['token']}"}
    # when the viewer is read with it, then it is that user, with that role
    viewer = await client.post(
        "/graphql", json={"query": "{ viewer { email staffRoles } }"}, headers=bearer
    )
    assert viewer.json()["data"]["viewer"] == {
        "email": "helper@example.com",
        "staffRoles": ["support"],
    }
    # and a role the service does not know is refused, not dropped
    unknown = await client.post("/dev/token", json={"subject": "u", "roles": ["owner"]})
    assert unknown.status_code == 400


async def test_dev_names_the_sandbox_checkout_script(client: httpx.AsyncClient) -> None:
    config = (await client.post("/graphql", json=CHECKOUT_CONFIG)).json()["data"]
    assert config["checkoutConfig"] == {"scriptUrl": "/sandbox/v1/checkout.js", "sandbox": True}
    script = await client.get(config["checkoutConfig"]["scriptUrl"])
    assert "window.Razorpay" in script.text


async def test_prod_has_no_dev_token_and_no_app_unless_asked(
    prod_app_settings: dict[str, object],
) -> None:
    # given prod without SERVE_WEB_APP
    async with served(make_settings(**prod_app_settings)) as http:
        # then there is no sign-in endpoint and no app, and Checkout is Razorpay's
        minted = await http.post("/dev/token", json={"subject": "u"})
        assert minted.status_code == 404
        assert (await http.get("/")).status_code == 404
        assert (await http.get("/billing")).status_code == 404
        config = (await http.post("/graphql", json=CHECKOUT_CONFIG)).json()["data"]
        assert config["checkoutConfig"] == {"scriptUrl": RAZORPAY_CHECKOUT_JS, "sandbox": False}
    # given prod with SERVE_WEB_APP=true, then the app is served, and still no sign-in endpoint
    async with served(make_settings(**prod_app_settings, serve_web_app=True)) as http:
        assert (await http.get("/billing")).status_code == 200
        assert (await http.post("/dev/token", json={"subject": "u"})).status_code == 404
