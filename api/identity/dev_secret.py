"""In development the JWT secret is generated once and kept under DATA_DIR.

That way `python -m api token` and the running service agree without any setting, and tokens
survive restarts. Production must set JWT_SECRET (settings refuse to start otherwise).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from api.private_files import publish_once
from api.settings import Settings


def jwt_secret(settings: Settings) -> str:
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    if settings.is_prod:
        raise RuntimeError("JWT_SECRET is required in prod")
    return _load_or_create(dev_secret_path(settings))


def dev_secret_path(settings: Settings) -> Path:
    return settings.data_dir / "jwt_secret"


def _load_or_create(path: Path) -> str:
    if not path.exists():
        # Every process that starts at once ends up reading the one secret that was published.
        publish_once(path, secrets.token_urlsafe(48))
    return path.read_text().strip()
