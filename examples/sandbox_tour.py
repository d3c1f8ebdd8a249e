"""A tour of the Razorpay sandbox using only the official SDK and `python -m api sandbox ...`.

With `make run` going: `.venv/bin/python examples/sandbox_tour.py`. It creates a plan and a
subscription, pays it, renews it, fails one renewal and recovers on the next day's retry, refunds
part of a payment, and prints what Razorpay would show at each step, then the webhooks the
service's route was sent for the subscription.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import razorpay
import requests

TIMEOUT = 30
JUST_PAST = 60  # seconds past a charge time, so the charge has run


def cli(*args: str) -> Any:
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "api", "sandbox", *args], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def control(info: dict[str, str], path: str, body: dict[str, Any] | None = None) -> Any:
    """The sandbox's control endpoints (the clock, the delivery log), with the sandbox keys."""
    response = requests.request(
        "GET" if body is None else "POST",
        info["base_url"] + path,
        json=body,
        auth=(info["key_id"], info["key_secret"]),
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    return response.json()


def show(title: str, entity: dict[str, Any], *keys: str) -> None:
    print(f"{title}: " + ", ".join(f"{k}={entity.get(k)!r}" for k in keys))


def advance_past(info: dict[str, str], at: int) -> None:
    """Move the sandbox clock to just past `at` (the CLI takes fractional hours)."""
    now: int = control(info, "/control/clock")["now"]
    cli("advance", "--hours", f"{(at - now + JUST_PAST) / 3600:.4f}")


def webhooks_for(info: dict[str, str], subscription_id: str) -> list[str]:
    """Each event whose payload names the subscription, with the route's answers to it."""
    control(info, "/control/webhooks/drain", {"timeout": 10})
    log = control(info, "/control/webhooks/deliveries")["items"]
    return [
        f"{item['event']} {[attempt['status'] for attempt in item['attempts']]}"
        for item in log
        if f'"{subscription_id}"' in item["body"]
    ]


def main() -> None:
    info = cli("info")
    client = razorpay.Client(auth=(info["key_id"], info["key_secret"]), base_url=info["base_url"])
    plan = client.plan.create(
        {
            "period": "monthly",
            "interval": 1,
            "item": {"name": "Tour", "amount": 10000, "currency": "INR"},
        }
    )
    show("plan", plan, "id", "period", "interval")
    sub = client.subscription.create({"plan_id": plan["id"], "total_count": 12})
    show("subscription", sub, "id", "status", "paid_count", "remaining_count")
    handler = cli("pay", sub["id"])
    client.utility.verify_subscription_payment_signature(dict(handler))
    print("checkout handler:", handler, "(signature verified with the SDK)")
    show(
        "after checkout",
        client.subscription.fetch(sub["id"]),
        "status",
        "paid_count",
        "current_end",
    )
    cli("advance", "--days", "31")
    month2 = client.subscription.fetch(sub["id"])
    show("month 2", month2, "status", "paid_count", "remaining_count", "charge_at")
    cli("next-charge", sub["id"], "--fail", "insufficient_fund")
    advance_past(info, month2["charge_at"])
    show(
        "failed renewal",
        client.subscription.fetch(sub["id"]),
        "status",
        "auth_attempts",
        "paid_count",
        "charge_at",
    )
    cli("advance", "--days", "1")
    show(
        "retried a day later",
        client.subscription.fetch(sub["id"]),
        "status",
        "auth_attempts",
        "paid_count",
    )
    cli("advance", "--days", "30")
    show("month 4", client.subscription.fetch(sub["id"]), "status", "paid_count", "auth_attempts")
    payment_id = client.invoice.all({"subscription_id": sub["id"]})["items"][-1]["payment_id"]
    refund = client.payment.refund(payment_id, {"amount": 2500, "speed": "normal"})
    show("refund", refund, "id", "amount", "status")
    show("payment", client.payment.fetch(payment_id), "status", "amount_refunded", "refund_status")
    try:
        client.payment.refund(payment_id, {"amount": 999999})
    except razorpay.errors.BadRequestError as error:
        print("over-refund refused by Razorpay's rules:", error)
    print("webhooks sent to the service for", sub["id"], "(event [HTTP status per attempt]):")
    for line in webhooks_for(info, sub["id"]):
        print("  ", line)


if __name__ == "__main__":
    main()
