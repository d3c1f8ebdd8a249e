"""The sandbox's API keys and webhook secret, generated once and kept under DATA_DIR."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

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
    if path.exists():
        return read_credentials(path)
    credentials = generate_credentials()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Created 0600 from the start, so the secret is never readable by others, even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(credentials), handle, indent=2)
    try:
        # Two processes starting at once: the first link wins and both use its keys.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return read_credentials(path)


def read_credentials(path: Path) -> SandboxCredentials:
    data = json.loads(path.read_text(encoding="utf-8"))
    return SandboxCredentials(
        key_id=str(data["key_id"]),
        key_secret=str(data["key_secret"]),
        webhook_secret=str(data["webhook_secret"]),
    )
