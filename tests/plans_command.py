"""`python -m api plans sync` against the running test app, in a child process as an operator
runs it (its synchronous reads must not block the app's loop, which serves the sandbox)."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from api.localdb import REPO_ROOT
from api.settings import Settings
from tests.api_command import api_command


async def plans_sync(settings: Settings) -> list[dict[str, Any]]:
    """One dict per sold price, as the command prints them."""
    assert settings.mongodb_uri is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAZORPAY_", "MONGODB_"))}
    env.update(
        APP_ENV="dev",
        LOG_LEVEL="warning",
        DATA_DIR=str(settings.data_dir),
        PORT=str(settings.port),
        MONGODB_URI=settings.mongodb_uri,
        MONGODB_DB=settings.mongodb_db,
        POLICY_DIR=str(settings.policy_dir),
        PYTHONPATH=os.pathsep.join([str(REPO_ROOT / "sandbox"), str(REPO_ROOT)]),
    )
    done = await asyncio.to_thread(api_command, "plans", "sync", env=env)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]
