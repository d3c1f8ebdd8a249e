"""How a sandbox is set up: keys, where webhooks go, where state is kept, delivery timings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from razorpay_sandbox.credentials import SandboxCredentials


@dataclass
class SandboxConfig:
    credentials: SandboxCredentials
    webhook_url: str | None
    state_file: Path | None = None
    account_id: str = "acc_SandboxAcct001"
    # Razorpay counts a delivery as failed without a 2xx within 5 s.
    delivery_timeout: float = 5.0
    # Retry n comes base * 2**(n-1) seconds after the one before, capped, for as long as it
    # falls within retry_window of the first attempt (Razorpay: 24 h). Tests shrink them all.
    retry_backoff_base: float = 5.0
    retry_backoff_max: float = 3600.0
    retry_window: float = 86_400.0
    # A bound for when the backoff is shrunk but the window is not; the default 24 h schedule
    # ends by itself after 33 attempts.
    max_attempts: int = 40
    # How often due charges are run as wall-clock time passes (None: only on requests/advance).
    tick_seconds: float | None = 5.0
