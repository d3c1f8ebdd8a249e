"""Which Razorpay this process talks to: the real one (keys set) or its own sandbox (no keys).

The sandbox (`razorpay_sandbox`, from ./sandbox) is a development tool installed beside the
service by `make setup`, never part of its distribution: it is imported here, lazily, only when
no keys are set, so a production install that lacks it starts without it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from starlette.types import ASGIApp

from api.clock import Clock, FollowingClock, MovableClock, SystemClock
from api.gateway.client import RazorpayGateway
from api.gateway.config import GatewaySettings
from api.settings import ConfigurationError, Settings
from api.web.sandbox_proxy import SandboxProxy

SANDBOX_PACKAGE = "razorpay_sandbox"
SHARED_CLOCK_FILE = "clock"  # in DATA_DIR/sandbox: the sandbox's clock offset, for the workers
SANDBOX_MISSING = (
    "The Razorpay sandbox is not installed, and without RAZORPAY_* keys the service needs it:"
    " run `make setup` (it installs the sandbox from ./sandbox), or set RAZORPAY_KEY_ID,"
    " RAZORPAY_KEY_SECRET and RAZORPAY_WEBHOOK_SECRET to use Razorpay itself."
)


class EmbeddedSandbox(Protocol):
    """What the service needs of the sandbox it serves under /sandbox."""

    @property
    def app(self) -> ASGIApp: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class RazorpayWiring:
    gateway: RazorpayGateway
    key_id: str
    webhook_secret: str | None
    clock: Clock
    sandbox: EmbeddedSandbox | None


@contextmanager
def sandbox_required() -> Iterator[None]:
    """Around a lazy import of the sandbox: its absence is a setup problem, said as one."""
    try:
        yield
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] != SANDBOX_PACKAGE:
            raise
        raise ConfigurationError(SANDBOX_MISSING) from error


def check_sandbox_installed(settings: Settings) -> None:
    """Before anything starts: without keys the service serves its sandbox, so it must be there."""
    if settings.uses_sandbox:
        with sandbox_required():
            import razorpay_sandbox  # noqa: F401


def wire_razorpay(
    settings: Settings, clock: Clock | None, sandbox_overrides: dict[str, Any] | None = None
) -> RazorpayWiring:
    if not settings.uses_sandbox:
        return _real(settings, clock or SystemClock())
    if settings.sandbox_url is not None:
        return _sandbox_elsewhere(settings, settings.sandbox_url)
    return _sandbox(settings, clock, sandbox_overrides or {})


def _real(settings: Settings, clock: Clock) -> RazorpayWiring:
    assert settings.razorpay_key_id and settings.razorpay_key_secret  # check_startable saw to it
    gateway = gateway_for(
        settings,
        settings.razorpay_key_id,
        settings.razorpay_key_secret.get_secret_value(),
        settings.razorpay_base_url,
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
    sandbox, key_id, key_secret, webhook_secret = build_sandbox(settings, shared, overrides)
    base = f"http://{settings.public_host}:{settings.port}"
    gateway = gateway_for(settings, key_id, key_secret, f"{base}/sandbox")
    return RazorpayWiring(gateway, key_id, webhook_secret, shared, sandbox)


def build_sandbox(
    settings: Settings, clock: MovableClock, overrides: dict[str, Any] | None = None
) -> tuple[EmbeddedSandbox, str, str, str]:
    """The sandbox for this DATA_DIR and address, with its key id, key secret and webhook secret."""
    with sandbox_required():
        from razorpay_sandbox import SandboxConfig, create_sandbox, load_or_create_credentials
    credentials = load_or_create_credentials(settings.data_dir)
    config = SandboxConfig(
        credentials=credentials,
        webhook_url=f"http://{settings.public_host}:{settings.port}/webhooks/razorpay",
        state_file=sandbox_dir(settings) / "state.json",
    )
    sandbox = create_sandbox(dataclasses.replace(config, **(overrides or {})), clock)
    keys = credentials.key_id, credentials.key_secret, credentials.webhook_secret
    return sandbox, *keys


def sandbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "sandbox"


def _sandbox_elsewhere(settings: Settings, url: str) -> RazorpayWiring:
    """A worker's view of the sandbox `serve` runs beside it: its keys from DATA_DIR, its time
    from the shared clock, and `/sandbox` passed on to it."""
    with sandbox_required():
        from razorpay_sandbox import load_or_create_credentials
    credentials = load_or_create_credentials(settings.data_dir)
    gateway = gateway_for(settings, credentials.key_id, credentials.key_secret, url)
    clock = FollowingClock(sandbox_dir(settings) / SHARED_CLOCK_FILE)
    proxy = SandboxProxy(url)
    return RazorpayWiring(gateway, credentials.key_id, credentials.webhook_secret, clock, proxy)


def gateway_for(settings: Settings, key_id: str, key_secret: str, base_url: str) -> RazorpayGateway:
    """A gateway to Razorpay (or a sandbox) at `base_url`, with the settings' read timeout."""
    return RazorpayGateway(
        GatewaySettings(
            key_id=key_id,
            key_secret=key_secret,
            base_url=base_url,
            read_timeout_seconds=settings.razorpay_timeout_seconds,
        )
    )
