"""When Razorpay cannot be reached the user gets a typed, retryable failure and nothing changes."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from api.app import create_app
from api.documents import Subscription, UpgradeClaim, User
from tests.billing_calls import UPGRADE
from tests.builders import graphql, token
from tests.conftest import make_settings
from tests.serving import in_process

pytestmark = pytest.mark.asyncio(loop_scope="session")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_upgrade_with_razorpay_unreachable_is_a_retryable_failure(
    mongodb_uri: str, database_name: str, tmp_path: Path
) -> None:
    # given a service whose Razorpay refuses connections
    settings = make_settings(
        mongodb_uri=mongodb_uri,
        mongodb_db=database_name,
        data_dir=tmp_path,
        razorpay_key_id="rzp_test_unreachable00",
        razorpay_key_secret="secret",
        razorpay_webhook_secret="whsecret",
        razorpay_plan_id="plan_configured0001",
        razorpay_base_url=f"http://127.0.0.1:{closed_port()}",
    )
    app = create_app(settings)
    async with in_process(app) as http:
        response = await graphql(
            http,
            UPGRADE,
            variables={"key": "gateway-down-key-01"},
            bearer=token(sub="down-user"),
        )

        # then a typed failure that says retrying can help, with no claim held
        result = response.json()["data"]["upgrade"]
        assert (result["__typename"], result["code"], result["retryable"]) == (
            "Failure",
            "GATEWAY_UNAVAILABLE",
            True,
        )
        assert (
            await Subscription.find(Subscription.razorpay_plan_id == "plan_configured0001").count()
            == 0
        )
        user = await User.find_one(User.subject == "down-user")
        assert user is not None
        open_claims = UpgradeClaim.find(UpgradeClaim.open_key == str(user.id))
        assert await open_claims.count() == 0
