"""Settings of the Razorpay adapter; the composition root builds one from the app's Settings."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.razorpay.com"


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewaySettings:
    key_id: str
    key_secret: str = field(repr=False)
    # Scheme + host (+ optional path prefix, e.g. the sandbox's), without `/v1`.
    base_url: str = DEFAULT_BASE_URL
    connect_timeout_seconds: float = 3.0
    read_timeout_seconds: float = 10.0
    max_concurrency: int = 8
    breaker_failure_threshold: int = 5
    breaker_reset_seconds: float = 30.0
    retry_attempts: int = 3
    retry_base_delay_seconds: float = 0.2
    retry_max_delay_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not self.key_id or not self.key_secret:
            raise ValueError("Razorpay key_id and key_secret are required")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {self.base_url!r}")
        if min(self.connect_timeout_seconds, self.read_timeout_seconds) <= 0:
            raise ValueError("timeouts must be positive: a call without one can hang forever")
        if self.max_concurrency < 1:
            raise ValueError("max_concurrency must be >= 1")

    @property
    def timeout(self) -> tuple[float, float]:
        """The (connect, read) pair `requests` expects."""
        return (self.connect_timeout_seconds, self.read_timeout_seconds)

    @property
    def root_url(self) -> str:
        return self.base_url.rstrip("/")
