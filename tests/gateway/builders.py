"""Keyword builders for gateway tests: settings, Razorpay JSON entities and scripted replies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api.gateway import GatewaySettings, RazorpayGateway
from tests.gateway.fault_server import Reply

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TEST_KEY_SECRET = "test_key_secret"


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def sample(name: str) -> Any:
    return json.loads(sample_bytes(name))


def make_settings(base_url: str, **overrides: Any) -> GatewaySettings:
    """Fast settings: short timeouts and backoff, so each fault test takes well under a second."""
    values: dict[str, Any] = {
        "key_id": "rzp_test_gateway",
        "key_secret": TEST_KEY_SECRET,
        "base_url": base_url,
        "connect_timeout_seconds": 0.5,
        "read_timeout_seconds": 0.5,
        "max_concurrency": 4,
        "breaker_failure_threshold": 3,
        "breaker_reset_seconds": 0.2,
        "retry_attempts": 3,
        "retry_base_delay_seconds": 0.01,
        "retry_max_delay_seconds": 0.02,
    }
    values.update(overrides)
    return GatewaySettings(**values)


def make_gateway(base_url: str, **overrides: Any) -> RazorpayGateway:
    return RazorpayGateway(make_settings(base_url, **overrides))


def ok(entity: dict[str, Any], *, delay_seconds: float = 0.0) -> Reply:
    return Reply(body=json.dumps(entity).encode(), delay_seconds=delay_seconds)


def error(status: int, code: str, description: str, *, delay_seconds: float = 0.0) -> Reply:
    body = {"error": {"code": code, "description": description, "source": "NA", "step": "NA"}}
    return Reply(status=status, body=json.dumps(body).encode(), delay_seconds=delay_seconds)


def server_error() -> Reply:
    return error(500, "SERVER_ERROR", "We are facing some trouble completing your request")


def bad_request(description: str = "The amount is invalid") -> Reply:
    return error(400, "BAD_REQUEST_ERROR", description)


def html_bad_gateway() -> Reply:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    return Reply(status=502, body=page, content_type="text/html")


def subscription_json(**overrides: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": "sub_00000000000001",
        "entity": "subscription",
        "plan_id": "plan_0000000000001",
        "customer_id": None,
        "status": "created",
        "total_count": 12,
        "paid_count": 0,
        "remaining_count": 12,
        "auth_attempts": 0,
        "quantity": 1,
        "notes": [],
        "created_at": 1_700_000_000,
        "short_url": "https://rzp.io/i/abc",
    }
    return entity | overrides


def plan_json(**overrides: Any) -> dict[str, Any]:
    item = {"id": "item_0000000000001", "name": "Pro", "amount": 10000, "currency": "INR"}
    entity: dict[str, Any] = {
        "id": "plan_0000000000001",
        "entity": "plan",
        "period": "monthly",
        "interval": 1,
        "item": item,
        "notes": [],
        "created_at": 1_700_000_000,
    }
    return entity | overrides


def payment_json(**overrides: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": "pay_00000000000001",
        "entity": "payment",
        "amount": 10000,
        "currency": "INR",
        "status": "captured",
        "captured": True,
        "method": "card",
        "amount_refunded": 0,
        "notes": [],
        "created_at": 1_700_000_000,
    }
    return entity | overrides


def refund_json(**overrides: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": "rfnd_0000000000001",
        "entity": "refund",
        "payment_id": "pay_00000000000001",
        "amount": 10000,
        "currency": "INR",
        "status": "processed",
        "speed_requested": "normal",
        "speed_processed": "normal",
        "notes": [],
        "receipt": None,
        "created_at": 1_700_000_100,
    }
    return entity | overrides


def collection(*entities: dict[str, Any]) -> dict[str, Any]:
    return {"entity": "collection", "count": len(entities), "items": list(entities)}
