"""Which Razorpay this process talks to: the real one (keys set) or its own sandbox (no keys)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from api.clock import Clock, MovableClock, SystemClock
from api.gateway.client import RazorpayGateway
from api.gateway.config import GatewaySettings
from api.sandbox import Sandbox, SandboxConfig, create_sandbox, load_or_create_credentials
from api.settings import Settings


@dataclass
class RazorpayWiring:
    gateway: RazorpayGateway
    key_id: str
    webhook_secret: str | None
    clock: Clock
    sandbox: Sandbox | None


def wire_razorpay(
    settings: Settings, clock: Clock | None, sandbox_overrides: dict[str, Any] | None = None
) -> RazorpayWiring:
    if not settings.uses_sandbox:
        return _real(settings, clock or SystemClock())
    return _sandbox(settings, clock, sandbox_overrides or {})


def _real(settings: Settings, clock: Clock) -> RazorpayWiring:
    assert settings.razorpay_key_id and settings.razorpay_key_secret  # check_startable saw to it
    gateway = RazorpayGateway(
        GatewaySettings(
            key_id=settings.razorpay_key_id,
            key_secret=settings.razorpay_key_secret.get_secret_value(),
            base_url=settings.razorpay_base_url,
            read_timeout_seconds=settings.razorpay_timeout_seconds,
        )
    )
    secret = (
        settings.razorpay_webhook_secret.get_secret_value()
        if settings.razorpay_webhook_secret
        else None
    )
    return RazorpayWiring(gateway, settings.razorpay_key_id, secret, clock, sandbox=None)


def _sandbox(settings: Settings, clock: Clock | None, overrides: dict[str, Any]) -> RazorpayWiring:
    if clock is not None and not isinstance(clock, MovableClock):
        raise TypeError("the sandbox needs a MovableClock, shared with the service")
    # One clock for both: moving the sandbox's time moves the time access is judged by.
    shared = clock or MovableClock()
    credentials = load_or_create_credentials(settings.data_dir)
    base = f"http://{settings.public_host}:{settings.port}"
    config = SandboxConfig(
        credentials=credentials,
        webhook_url=f"{base}/webhooks/razorpay",
        state_file=settings.data_dir / "sandbox" / "state.json",
    )
    sandbox = create_sandbox(dataclasses.replace(config, **overrides), shared)
    gateway = RazorpayGateway(
        GatewaySettings(
            key_id=credentials.key_id,
            key_secret=credentials.key_secret,
            base_url=f"{base}/sandbox",
            read_timeout_seconds=settings.razorpay_timeout_seconds,
        )
    )
    return RazorpayWiring(gateway, credentials.key_id, credentials.webhook_secret, shared, sandbox)
