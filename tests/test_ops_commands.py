"""The operator's commands beside `python -m api serve` as a newcomer runs it: the embedded
database and the sandbox found from DATA_DIR and PORT alone."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.billing_calls import UPGRADE
from tests.test_private_files import run_api, service_env, serving


def test_reconcile_and_webhooks_list_run_beside_the_embedded_service(tmp_path: Path) -> None:
    # given the service running with its embedded database, and a user who opened a checkout
    env = service_env(tmp_path / "var")
    with serving(env, log=tmp_path / "serve.log") as base:
        bearer = run_api(env, "token", "--sub", "jo", "--email", "jo@example.com")
        upgrade = httpx.post(
            f"{base}/graphql",
            json={"query": UPGRADE, "variables": {"key": "ops-000000000001"}},
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=30,
        )
        assert upgrade.json()["data"]["upgrade"]["__typename"] == "CheckoutDetails"

        # when the operator reconciles and lists the stored webhooks
        report = json.loads(run_api(env, "reconcile", "--json"))
        listed = json.loads(run_api(env, "webhooks", "list", "--json"))

    # then the user's subscription was checked against the sandbox, and nothing differed
    assert (report["subscriptions_checked"], report["found"]) == (1, 0)
    assert isinstance(listed, list)
