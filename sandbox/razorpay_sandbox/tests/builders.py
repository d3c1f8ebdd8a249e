"""Small keyword builders: entities through the SDK, and the sandbox's control endpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import razorpay
import requests

from razorpay_sandbox import SandboxCredentials
from razorpay_sandbox.tests.receiver import Receiver

Entity = dict[str, Any]
# Razorpay's own response samples, kept once in the repository for the service's gateway tests too.
SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
DAY = 86_400
TIMEOUT = 10


@dataclass
class MovedClock:
    """Wall-clock time plus an offset that only grows: the clock an embedding service shares."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> datetime:
        assert by >= timedelta(0), "time only moves forward"
        self.offset += by
        return self.now()


@dataclass
class Env:
    base_url: str
    port: int
    credentials: SandboxCredentials
    data_dir: Path
    clock: MovedClock
    receiver: Receiver = field(repr=False)

    @property
    def auth(self) -> tuple[str, str]:
        return (self.credentials.key_id, self.credentials.key_secret)

    def sdk(self, *, secret: str | None = None, key_id: str | None = None) -> razorpay.Client:
        auth = (key_id or self.credentials.key_id, secret or self.credentials.key_secret)
        return razorpay.Client(auth=auth, base_url=self.base_url)


def control(env: Env, path: str, body: Entity | None = None, *, method: str = "POST") -> Any:
    response = requests.request(
        method, env.base_url + path, json=body, auth=env.auth, timeout=TIMEOUT
    )
    return response.json()


def raw(env: Env, method: str, path: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("auth", env.auth)
    return requests.request(method, env.base_url + path, timeout=TIMEOUT, **kwargs)


def plan(
    client: razorpay.Client,
    *,
    amount: int = 10000,
    period: str = "monthly",
    interval: int = 1,
    name: str = "Pro",
) -> Entity:
    item = {"name": name, "amount": amount, "currency": "INR"}
    created: Entity = client.plan.create({"period": period, "interval": interval, "item": item})
    return created


def subscription(
    client: razorpay.Client, *, plan_id: str | None = None, total_count: int = 12, **extra: Any
) -> Entity:
    plan_id = plan_id or plan(client)["id"]
    body = {"plan_id": plan_id, "total_count": total_count, **extra}
    created: Entity = client.subscription.create(body)
    return created


def pay(env: Env, *, outcome: str = "success", reason: str | None = None, **ids: Any) -> Entity:
    body: Entity = {"outcome": outcome, **ids}
    if reason is not None:
        body["reason"] = reason
    result: Entity = control(env, "/control/checkout", body)
    return result


def active_subscription(
    env: Env, client: razorpay.Client, *, total_count: int = 12, **extra: Any
) -> Entity:
    created = subscription(client, total_count=total_count, **extra)
    pay(env, subscription_id=created["id"])
    fetched: Entity = client.subscription.fetch(created["id"])
    return fetched


def advance(env: Env, *, days: float = 0, seconds: int = 0) -> Entity:
    result: Entity = control(env, "/control/clock/advance", {"seconds": int(days * DAY) + seconds})
    return result


def next_charge(env: Env, subscription_id: str, *, outcome: str = "fail", **extra: Any) -> Entity:
    path = f"/control/subscriptions/{subscription_id}/next-charge"
    result: Entity = control(env, path, {"outcome": outcome, **extra})
    return result


def drain(env: Env) -> None:
    result = control(env, "/control/webhooks/drain", {"timeout": 10})
    assert result == {"drained": True, "pending": 0}


def received(env: Env) -> list[dict[str, Any]]:
    """What the receiver got of this test's events: a delivery of an earlier test still in flight
    when the sandbox was reset may land after the receiver was cleared, so arrivals are matched
    to the sandbox's delivery log, which the reset emptied."""
    log = control(env, "/control/webhooks/deliveries", method="GET")["items"]
    ours = {item["event_id"] for item in log}
    with env.receiver.lock:
        return [item for item in env.receiver.received if item["event_id"] in ours]


def knobs(env: Env, **values: Any) -> Entity:
    result: Entity = control(env, "/control/webhooks/knobs", values)
    return result


def events_about(env: Env, entity_id: str) -> list[str]:
    drain(env)
    return [item["event"] for item in env.receiver.about(entity_id)]


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def now(env: Env) -> int:
    return int(env.clock.now().timestamp())
