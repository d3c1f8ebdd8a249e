"""The faults knob: the next calls to one REST endpoint fail as Razorpay's would, doing nothing."""

from __future__ import annotations

from typing import Any

import pytest
import razorpay
from razorpay.errors import BadRequestError, ServerError

from razorpay_sandbox.tests.builders import Env, active_subscription, control


def arm(env: Env, method: str, path: str, **fault: object) -> Any:
    return control(env, "/control/faults", {"method": method, "path": path, **fault})


def test_an_armed_fault_answers_the_next_call_with_a_server_error_and_changes_nothing(
    env: Env, client: razorpay.Client
) -> None:
    # given an active subscription whose next cancel is to fail
    subscription = active_subscription(env, client)
    path = f"/v1/subscriptions/{subscription['id']}/cancel"
    arm(env, "POST", path)

    # when it is cancelled, then again
    with pytest.raises(ServerError, match="trouble completing your request"):
        client.subscription.cancel(subscription["id"])
    failed_status = client.subscription.fetch(subscription["id"])["status"]
    cancelled = client.subscription.cancel(subscription["id"])

    # then the first call did nothing, the fault was used up, and the second one cancelled
    assert failed_status == "active"
    assert cancelled["status"] == "cancelled"
    assert control(env, "/control/faults", method="GET")["count"] == 0


def test_a_fault_can_refuse_with_a_description_for_a_count_and_be_cleared(
    env: Env, client: razorpay.Client
) -> None:
    subscription = active_subscription(env, client)
    path = f"/v1/subscriptions/{subscription['id']}"

    armed = arm(env, "GET", path, status=400, description="Not today.", count=2)
    with pytest.raises(BadRequestError, match="Not today"):
        client.subscription.fetch(subscription["id"])
    left = control(env, "/control/faults", method="GET")["items"]
    cleared = control(env, "/control/faults", method="DELETE")

    assert armed["count"] == 1
    assert [(f["path"], f["remaining"]) for f in left] == [(path, 1)]
    assert cleared["count"] == 0
    assert client.subscription.fetch(subscription["id"])["id"] == subscription["id"]


def test_a_fault_outside_the_rest_api_or_with_a_bad_status_is_refused(env: Env) -> None:
    outside = arm(env, "POST", "/control/reset")
    success = arm(env, "GET", "/v1/plans", status=200)

    assert outside["error"]["field"] == "path"
    assert success["error"]["field"] == "status"
    assert control(env, "/control/faults", method="GET")["count"] == 0
