"""Basic auth, Razorpay's error bodies and statuses, and the SDK's exception classes."""

from __future__ import annotations

import pytest
import razorpay
from razorpay.errors import BadRequestError

from razorpay_sandbox.tests.builders import Env, plan, raw


def test_wrong_secret_is_401_with_razorpays_error_body(env: Env) -> None:
    # given a request signed with the right key id but a wrong secret
    # when it is sent
    response = raw(env, "GET", "/v1/plans", auth=(env.credentials.key_id, "wrong"))
    # then Razorpay's 401 body comes back
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "BAD_REQUEST_ERROR"
    assert error["description"] == "The api secret provided is invalid"


def test_unknown_key_id_is_401(env: Env) -> None:
    response = raw(env, "GET", "/v1/plans", auth=("rzp_test_unknown000000", "x"))
    assert response.status_code == 401
    assert response.json()["error"]["description"] == "The api key provided is invalid"


def test_missing_or_lowercase_scheme_is_rejected(env: Env) -> None:
    # given no credentials, and a "basic" scheme word (Razorpay wants exactly "Basic")
    token = raw(env, "GET", "/v1/plans").request.headers["Authorization"].split(" ")[1]
    missing = raw(env, "GET", "/v1/plans", auth=None)
    lowercase = raw(env, "GET", "/v1/plans", auth=None, headers={"Authorization": "basic " + token})
    # then both are 401
    assert (missing.status_code, lowercase.status_code) == (401, 401)


def test_sdk_raises_bad_request_error_for_bad_credentials(env: Env) -> None:
    with pytest.raises(BadRequestError, match="The api secret provided is invalid"):
        env.sdk(secret="wrong").plan.all()


def test_unknown_id_is_400_and_bad_request_error(env: Env, client: razorpay.Client) -> None:
    # given ids that do not exist
    # when they are fetched
    response = raw(env, "GET", "/v1/subscriptions/sub_00000000000000")
    # then Razorpay answers 400 (not 404) and the SDK raises BadRequestError
    assert response.status_code == 400
    assert response.json()["error"]["description"] == "The id provided does not exist"
    for fetch in (client.plan.fetch, client.payment.fetch, client.refund.fetch, client.order.fetch):
        with pytest.raises(BadRequestError, match="The id provided does not exist"):
            fetch("pay_00000000000000")


def test_unknown_url_and_method_are_400(env: Env) -> None:
    unknown_url = raw(env, "GET", "/v1/nothing-here")
    wrong_method = raw(env, "DELETE", "/v1/plans")
    for response in (unknown_url, wrong_method):
        assert response.status_code == 400
        expected = "The requested URL was not found on the server."
        assert response.json()["error"]["description"] == expected


def test_validation_error_names_the_field(env: Env) -> None:
    # given a plan without an amount
    body = {"period": "monthly", "interval": 1, "item": {"name": "Pro", "currency": "INR"}}
    # when it is created
    response = raw(env, "POST", "/v1/plans", json=body)
    # then the error says which field, in Razorpay's full error shape
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "amount"
    assert set(error) == {"code", "description", "field", "source", "step", "reason", "metadata"}


def test_invalid_json_body_is_400(env: Env) -> None:
    response = raw(env, "POST", "/v1/orders", data=b"{not json", headers={"Content-Type": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST_ERROR"


def test_list_count_over_100_is_rejected(client: razorpay.Client) -> None:
    with pytest.raises(BadRequestError, match=r"The count may not be greater than 100\."):
        client.plan.all({"count": 101})


def test_unknown_fields_are_rejected(client: razorpay.Client) -> None:
    # given a plan create with an offer_id, which Razorpay refuses
    body = {"period": "monthly", "interval": 1, "offer_id": "offer_x"}
    body["item"] = {"name": "Pro", "amount": 10000, "currency": "INR"}
    with pytest.raises(BadRequestError, match="offer_id is/are not required"):
        client.plan.create(body)


def test_pagination_count_skip_from_to(env: Env, client: razorpay.Client) -> None:
    # given three plans, created a minute apart
    first = plan(client, name="one")
    raw(env, "POST", "/control/clock/advance", json={"seconds": 60})
    second = plan(client, name="two")
    raw(env, "POST", "/control/clock/advance", json={"seconds": 60})
    third = plan(client, name="three")
    # when pages are listed
    page = client.plan.all({"count": 2})
    skipped = client.plan.all({"count": 2, "skip": 2})
    window = client.plan.all({"from": second["created_at"], "to": second["created_at"]})
    # then newest first, `count` is the page size, and from/to bound created_at
    assert [p["id"] for p in page["items"]] == [third["id"], second["id"]]
    assert page["count"] == 2 and page["entity"] == "collection"
    assert [p["id"] for p in skipped["items"]] == [first["id"]]
    assert [p["id"] for p in window["items"]] == [second["id"]]
