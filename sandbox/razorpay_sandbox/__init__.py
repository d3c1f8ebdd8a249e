"""The project's own Razorpay sandbox: Razorpay's REST API, lifecycle, checkout and signed
webhooks on a clock that can be moved. See README.md in this folder."""

from razorpay_sandbox.app import Sandbox, create_sandbox
from razorpay_sandbox.config import SandboxConfig
from razorpay_sandbox.credentials import SandboxCredentials, load_or_create_credentials
from razorpay_sandbox.store import saved_clock_offset

__all__ = [
    "Sandbox",
    "SandboxConfig",
    "SandboxCredentials",
    "create_sandbox",
    "load_or_create_credentials",
    "saved_clock_offset",
]
