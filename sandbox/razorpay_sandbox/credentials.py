"""The sandbox's API keys and webhook secret, generated once and kept under DATA_DIR."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from razorpay_sandbox.files import private_dir, publish_once
from razorpay_sandbox.ids import random_alnum


@dataclass(frozen=True)
class SandboxCredentials:
    key_id: str
    key_secret: str
    webhook_secret: str


def credentials_path(data_dir: Path) -> Path:
    return data_dir / "sandbox" / "credentials.json"


def generate_credentials() -> SandboxCredentials:
    return SandboxCredentials(
        key_id="rzp_test_" + random_alnum(14),
        key_secret=random_alnum(24),
        webhook_secret=secrets.token_urlsafe(24),
    )


def load_or_create_credentials(data_dir: Path) -> SandboxCredentials:
    path = credentials_path(data_dir)
    private_dir(path.parent)  # also closes a folder an older version left open to others
    if path.exists():
        return read_credentials(path)
    # Two processes starting at once: the first to publish wins and both use its keys.
    publish_once(path, json.dumps(asdict(generate_credentials()), indent=2))
    return read_credentials(path)


def read_credentials(path: Path) -> SandboxCredentials:
    data = json.loads(path.read_text(encoding="utf-8"))
    return SandboxCredentials(
        key_id=str(data["key_id"]),
        key_secret=str(data["key_secret"]),
        webhook_secret=str(data["webhook_secret"]),
    )
