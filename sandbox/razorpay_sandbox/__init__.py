"""The project's own Razorpay sandbox: Razorpay's REST API, lifecycle, checkout and signed
webhooks on a clock that can be moved. See README.md in this folder."""

from api.sandbox.app import Sandbox, create_sandbox
from api.sandbox.config import SandboxConfig
from api.sandbox.credentials import SandboxCredentials, load_or_create_credentials
from api.sandbox.store import saved_clock_offset

__all__ = [
    "Sandbox",
    "SandboxConfig",
    "SandboxCredentials",
    "create_sandbox",
    "load_or_create_credentials",
    "saved_clock_offset",
]
