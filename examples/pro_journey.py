"""Buying Pro from outside: only `/graphql` and `python -m api sandbox ...`, as a user would.

With `make run` going (embedded defaults, GRACE_DAYS=3): `.venv/bin/python examples/pro_journey.py`,
with the HOST and PORT the service was started with (default 127.0.0.1:8000), which the
`python -m api sandbox ...` commands it runs follow too.
Four fresh users: one renews, fails four renewals and loses Pro when grace ends; one cancels at
period end; one is refunded in full with access revoked; one is refunded in part and stays Pro.
Each step prints what the API says; the script stops at the first state that is not expected.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

import requests

WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104 - compared against, never bound


def api_url() -> str:
    """Where the service listens, read as `python -m api sandbox ...` reads it."""
    host = os.environ.get("HOST", "127.0.0.1")
    host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    return f"http://{host}:{os.environ.get('PORT', '8000')}/graphql"


API = api_url()
TIMEOUT = 30
JUST_PAST = 60  # seconds past a charge time, so the charge has run
STATE = """{ entitlements { plan { code } accessUntil } subscription { id status accessUntil
  cancelAtPeriodEnd nextChargeAt } paymentHistory(first: 10) { edges { node { id status
  refunded { amount } } } } }"""
UPGRADE = """mutation { upgrade {
  __typename ... on CheckoutDetails { subscriptionId } ... on Failure { code } } }"""
CONFIRM = """mutation($p: String!, $s: String!, $sig: String!) { confirmCheckout(
  razorpayPaymentId: $p, razorpaySubscriptionId: $s, razorpaySignature: $sig) {
  __typename ... on Subscription { status accessUntil } ... on Failure { code } } }"""
IMPORT = """mutation { startGithubImport(repositoryUrl: "https://github.com/octo/hello") {
  __typename ... on GithubImport { status } } }"""
CANCEL = """mutation($end: Boolean!) { cancelSubscription(atPeriodEnd: $end) {
  __typename ... on Subscription { status cancelAtPeriodEnd accessUntil } } }"""
REFUND = """mutation($id: String!, $key: String!, $amount: Int, $access: RefundAccess!) {
  refundPayment(paymentId: $id, idempotencyKey: $key, amount: $amount, access: $access) {
  __typename ... on Refund { id status amount { amount } } ... on Failure { code } } }"""


def run(*args: str) -> Any:
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "api", *args], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout) if done.stdout.lstrip().startswith("{") else done.stdout.strip()


def token(sub: str, *roles: str) -> str:
    extra = [arg for role in roles for arg in ("--role", role)]
    return str(run("token", "--sub", sub, "--email", f"{sub}@example.com", *extra))


def gql(bearer: str, query: str, **variables: Any) -> dict[str, Any]:
    response = requests.post(
        API,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=TIMEOUT,
    )
    body: dict[str, Any] = response.json()
    return body


def expect(title: str, found: Any, wanted: Any) -> None:
    print(f"{title}: {found}")
    if found != wanted:
        sys.exit(f"  expected {wanted!r}")


def state(bearer: str) -> dict[str, Any]:
    time.sleep(1.0)  # the sandbox's webhooks land within milliseconds; be generous
    data: dict[str, Any] = gql(bearer, STATE)["data"]
    return data


def plan_and_status(bearer: str) -> tuple[str, str | None]:
    found = state(bearer)
    return found["entitlements"]["plan"]["code"], (found["subscription"] or {}).get("status")


def advance_past(at_iso: str) -> None:
    """Move the sandbox clock to just past an instant the API gave (an ISO date)."""
    info = run("sandbox", "info")
    clock = requests.get(
        info["base_url"] + "/control/clock",
        auth=(info["key_id"], info["key_secret"]),
        timeout=TIMEOUT,
    )
    now = clock.json()["now"]
    at = datetime.fromisoformat(at_iso).timestamp()
    run("sandbox", "advance", "--hours", f"{max(0, at - now + JUST_PAST) / 3600:.4f}")


def buy_pro(bearer: str) -> str:
    checkout = gql(bearer, UPGRADE)["data"]["upgrade"]
    again = gql(bearer, UPGRADE)["data"]["upgrade"]
    expect("  second upgrade (another tab): same subscription", again, checkout)
    handler = run("sandbox", "pay", checkout["subscriptionId"])
    confirmed = gql(
        bearer,
        CONFIRM,
        p=handler["razorpay_payment_id"],
        s=handler["razorpay_subscription_id"],
        sig=handler["razorpay_signature"],
    )["data"]["confirmCheckout"]
    expect("  confirmCheckout", confirmed["status"], "ACTIVE")
    return str(checkout["subscriptionId"])


def renewals_then_halted(run_id: str) -> None:
    print("1. free -> Pro -> renewed -> four failed renewals -> halted -> free after grace")
    user = token(f"renewer-{run_id}")
    expect(
        "  free user imports",
        gql(user, IMPORT)["errors"][0]["extensions"]["code"],
        "UPGRADE_REQUIRED",
    )
    subscription = buy_pro(user)
    expect("  Pro user imports", gql(user, IMPORT)["data"]["startGithubImport"]["status"], "QUEUED")
    advance_past(state(user)["subscription"]["nextChargeAt"])
    expect("  payments after a month", len(state(user)["paymentHistory"]["edges"]), 2)
    run("sandbox", "next-charge", subscription, "--fail", "card_declined", "--count", "4")
    advance_past(state(user)["subscription"]["nextChargeAt"])
    expect("  failed renewal: still Pro in grace", plan_and_status(user), ("pro", "PENDING"))
    for retry in (1, 2):
        advance_past(state(user)["subscription"]["nextChargeAt"])
        expect(f"  retry {retry} failed: still Pro", plan_and_status(user), ("pro", "PENDING"))
    advance_past(state(user)["subscription"]["nextChargeAt"])
    print(f"  access was until {state(user)['entitlements']['accessUntil']} (period end + grace)")
    # The fourth failure comes on T+3, when the default three days of grace end too.
    expect("  fourth failure: halted, free", plan_and_status(user), ("free", "HALTED"))
    expect(
        "  import refused again",
        gql(user, IMPORT)["errors"][0]["extensions"]["code"],
        "UPGRADE_REQUIRED",
    )


def cancel_at_period_end(run_id: str) -> None:
    print("2. cancel at period end: Pro until then, free after, nothing more charged")
    user = token(f"canceller-{run_id}")
    buy_pro(user)
    cancelled = gql(user, CANCEL, end=True)["data"]["cancelSubscription"]
    expect("  cancelled at period end", cancelled["cancelAtPeriodEnd"], True)
    expect("  still Pro", plan_and_status(user), ("pro", "ACTIVE"))
    advance_past(cancelled["accessUntil"])
    expect("  period over", plan_and_status(user), ("free", "CANCELLED"))
    expect("  payments", len(state(user)["paymentHistory"]["edges"]), 1)


def refunds(run_id: str) -> None:
    print("3. full refund revoking access; 4. partial refund keeping it")
    staff = token(f"support-{run_id}", "support")
    for name, amount, access, after in (
        ("revoked", None, "REVOKE_NOW", ("free", "CANCELLED")),
        ("partial", 2500, "KEEP", ("pro", "ACTIVE")),
    ):
        user = token(f"{name}-{run_id}")
        buy_pro(user)
        payment = state(user)["paymentHistory"]["edges"][0]["node"]["id"]
        key = f"refund-{name}-{run_id}"
        refund = gql(staff, REFUND, id=payment, key=key, amount=amount, access=access)
        expect(f"  {name} refund", refund["data"]["refundPayment"]["__typename"], "Refund")
        expect(f"  {name}: plan and status", plan_and_status(user), after)
        refunded = state(user)["paymentHistory"]["edges"][0]["node"]["refunded"]["amount"]
        expect(f"  {name}: refunded paise", refunded, amount or 10000)


def main() -> None:
    run_id = str(int(time.time()))
    renewals_then_halted(run_id)
    cancel_at_period_end(run_id)
    refunds(run_id)
    print("the journey went as expected")


if __name__ == "__main__":
    main()
