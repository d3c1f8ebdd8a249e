"""The public Checkout look-alike: checkout.js, the demo page, and the key-id-only pay endpoint."""

from __future__ import annotations

import razorpay

from razorpay_sandbox.tests.builders import Env, raw, subscription


def test_checkout_js_and_page_are_public(env: Env) -> None:
    script = raw(env, "GET", "/checkout.js", auth=None)
    page = raw(env, "GET", "/checkout", auth=None)
    assert script.status_code == 200 and "window.Razorpay = Razorpay" in script.text
    assert "Razorpay.prototype.open" in script.text
    assert page.status_code == 200 and '<script src="checkout.js">' in page.text


def test_public_pay_needs_the_right_key_id(env: Env, client: razorpay.Client) -> None:
    # given a subscription
    sub = subscription(client)
    body = {"subscription_id": sub["id"], "outcome": "success"}
    # when the browser pays with a wrong key id, then with the right one
    wrong = raw(env, "POST", "/checkout/pay", auth=None, json={**body, "key": "rzp_test_x"})
    right = raw(
        env, "POST", "/checkout/pay", auth=None, json={**body, "key": env.credentials.key_id}
    )
    # then only the right one pays, and the handler response verifies
    assert wrong.status_code == 401
    assert client.utility.verify_subscription_payment_signature(right.json())
    assert client.subscription.fetch(sub["id"])["status"] == "active"


def test_control_endpoints_need_the_secret(env: Env) -> None:
    response = raw(env, "POST", "/control/clock/advance", auth=None, json={"seconds": 1})
    assert response.status_code == 401
