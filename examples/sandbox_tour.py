"""A tour of the Razorpay sandbox using only the official SDK and `python -m api sandbox ...`.

With `make run` going: `.venv/bin/python examples/sandbox_tour.py`. It creates a plan and a
subscription, pays it, moves the clock three months with one failed renewal, refunds part of a
payment, and prints what Razorpay would show at each step.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import razorpay


def cli(*args: str) -> Any:
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "api", "sandbox", *args], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def show(title: str, entity: dict[str, Any], *keys: str) -> None:
    print(f"{title}: " + ", ".join(f"{k}={entity.get(k)!r}" for k in keys))


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
    show("month 2", client.subscription.fetch(sub["id"]), "status", "paid_count", "remaining_count")
    cli("next-charge", sub["id"], "--fail", "card_declined")
    cli("advance", "--days", "30")
    show(
        "failed renewal",
        client.subscription.fetch(sub["id"]),
        "status",
        "auth_attempts",
        "charge_at",
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


if __name__ == "__main__":
    main()
