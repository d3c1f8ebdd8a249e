"""How a sandbox is set up: keys, where webhooks go, where state is kept, delivery timings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.sandbox.credentials import SandboxCredentials


@dataclass
class SandboxConfig:
    credentials: SandboxCredentials
    webhook_url: str | None
    state_file: Path | None = None
    account_id: str = "acc_SandboxAcct001"
    # Razorpay counts a delivery as failed without a 2xx within 5 s.
    delivery_timeout: float = 5.0
    # Retry n waits base * 2**(n-1) seconds, capped; tests use tiny values.
    retry_backoff_base: float = 5.0
    retry_backoff_max: float = 3600.0
    max_attempts: int = 12
    # How often due charges are run as wall-clock time passes (None: only on requests/advance).
    tick_seconds: float | None = 5.0
