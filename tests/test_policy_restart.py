"""A policy edit takes effect when the service restarts on it, with no code change."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import ConfigurationError, Settings
from tests.billing_calls import REFUND
from tests.builders import graphql, token
from tests.conftest import make_settings
from tests.policy_files import POLICIES, copy_of_policies
from tests.serving import in_process

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUPPORT = token(sub="staff-restart", roles=["support"])
FREE = token(sub="free-restart")
REFUND_UNKNOWN = {"id": "pay_RestartUnknown01", "access": "KEEP", "key": "restart-refund-01"}
FEATURES = """{ plans { features { code plan } }
  canUse(feature: "github_import") { ... on FeatureAccess { allowed reason requiredPlan } } }"""


def settings_on(policy_dir: Path, mongodb_uri: str, database_name: str, tmp: Path) -> Settings:
    # Razorpay keys that are never called: no sandbox, and no request here reaches Razorpay.
    return make_settings(
        mongodb_uri=mongodb_uri,
        mongodb_db=database_name,
        data_dir=tmp,
        policy_dir=policy_dir,
        razorpay_key_id="rzp_test_restart0000",
        razorpay_key_secret="secret",
        razorpay_webhook_secret="whsecret",
    )


def served(settings: Settings) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    return in_process(create_app(settings))


async def ask(http: httpx.AsyncClient, query: str, bearer: str, **variables: Any) -> Any:
    body = (await graphql(http, query, variables=variables, bearer=bearer)).json()
    return body.get("errors") or body["data"]


async def test_removing_a_grant_takes_effect_on_restart(
    mongodb_uri: str, database_name: str, tmp_path: Path
) -> None:
    # given the policy as it is, and a copy without support's refund grant
    edited = copy_of_policies(tmp_path, edit={"p, support, payment, refund": ""})

    # when support asks for a refund on a service started on each
    async with served(settings_on(POLICIES, mongodb_uri, database_name, tmp_path)) as http:
        before = await ask(http, REFUND, SUPPORT, **REFUND_UNKNOWN)
    async with served(settings_on(edited, mongodb_uri, database_name, tmp_path)) as http:
        after = await ask(http, REFUND, SUPPORT, **REFUND_UNKNOWN)

    # then the guard let it through before (the payment is simply unknown), and refuses after
    assert before["refundPayment"]["code"] == "NOT_FOUND"
    assert [e["extensions"]["code"] for e in after] == ["FORBIDDEN"]


async def test_moving_a_feature_to_the_free_plan_is_a_policy_edit(
    mongodb_uri: str, database_name: str, tmp_path: Path
) -> None:
    # given a policy that grants GitHub import to free instead of pro
    edited = copy_of_policies(
        tmp_path, edit={"p, pro, feature, github_import": "p, free, feature, github_import"}
    )

    # when a free user asks about it on a service started on that policy
    async with served(settings_on(edited, mongodb_uri, database_name, tmp_path)) as http:
        data = await ask(http, FEATURES, FREE)

    # then the plans and the decision both follow the policy
    assert {"code": "GITHUB_IMPORT", "plan": "FREE"} in data["plans"][0]["features"]
    assert data["canUse"] == {
        "allowed": True,
        "reason": "included in every plan",
        "requiredPlan": "FREE",
    }


async def test_a_service_with_no_policy_does_not_start(
    mongodb_uri: str, database_name: str, tmp_path: Path
) -> None:
    settings = settings_on(tmp_path / "absent", mongodb_uri, database_name, tmp_path)

    with pytest.raises(ConfigurationError, match="POLICY_DIR"):
        create_app(settings)
