"""`python -m api ...` in a child process, from the repository root, as an operator runs it."""

from __future__ import annotations

import subprocess
import sys

from api.localdb import REPO_ROOT


def api_command(
    *argv: str, env: dict[str, str], check: bool = False
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *argv],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=check,
    )
