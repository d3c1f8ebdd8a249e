"""`compose.yaml` as Docker Compose reads it (no daemon here: its keys, parsed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no types; tests only

from api.settings import Settings

COMPOSE = Path(__file__).resolve().parent.parent / "compose.yaml"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def test_the_api_gets_every_setting_a_deployment_needs() -> None:
    environment = compose()["services"]["api"]["environment"]

    # then the optional plan id override reaches it
    assert "RAZORPAY_PLAN_ID" in environment
    for name in ("MONGODB_URI", "RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET", "JWT_SECRET"):
        assert name in environment
    # and each is a setting the service reads
    assert {name.lower() for name in environment} <= set(Settings.model_fields)


def test_the_api_waits_for_a_healthy_mongodb_and_both_restart() -> None:
    services = compose()["services"]

    assert services["api"]["depends_on"] == {"mongo": {"condition": "service_healthy"}}
    probe = " ".join(services["mongo"]["healthcheck"]["test"])
    assert "mongosh" in probe and "ping" in probe
    assert services["api"]["restart"] == services["mongo"]["restart"] == "unless-stopped"
