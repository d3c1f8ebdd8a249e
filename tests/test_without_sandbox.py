"""The service installed without its development sandbox (as `pip install .` and the image are).

Each check runs in a fresh interpreter in which `razorpay_sandbox` cannot be imported (a `None`
entry in `sys.modules` is how Python marks a module as absent), whatever this venv holds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WITHOUT_SANDBOX = "import sys; sys.modules['razorpay_sandbox'] = None\n"

BUILD_WITH_KEYS = """
import importlib, pkgutil
import api
from api.app import create_app
from api.settings import Settings
for module in pkgutil.walk_packages(api.__path__, "api."):
    importlib.import_module(module.name)
create_app(Settings())
print("built")
"""

RUN_CLI = "from api.__main__ import main; sys.exit(main(sys.argv[1:]))"


def run(script: str, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """`script` in a fresh interpreter without the sandbox, with no Razorpay keys but these."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("RAZORPAY_", "APP_"))}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_SANDBOX + script, *args],
        env={**inherited, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_service_module_imports_and_the_app_builds_with_razorpay_keys(
    tmp_path: Path,
) -> None:
    # when the service is built without the sandbox, with Razorpay's keys set
    done = run(
        BUILD_WITH_KEYS,
        DATA_DIR=str(tmp_path),
        MONGODB_URI="mongodb://127.0.0.1:9/never-connected",
        RAZORPAY_KEY_ID="rzp_test_abcdefghijklmn",
        RAZORPAY_KEY_SECRET="secret",
        RAZORPAY_WEBHOOK_SECRET="whsecret",
    )

    # then nothing it imports needed the sandbox
    assert (done.returncode, done.stdout.strip()) == (0, "built"), done.stderr


@pytest.mark.parametrize(
    "command", [["serve"], ["plans", "sync"], ["sandbox", "info"]], ids=" ".join
)
def test_without_keys_or_sandbox_a_command_refuses_and_says_how_to_fix_it(
    tmp_path: Path, command: list[str]
) -> None:
    # when a command that needs the sandbox runs with no Razorpay keys and no sandbox
    done = run(RUN_CLI, *command, DATA_DIR=str(tmp_path))

    # then it stops at once, before serving or starting the database, naming both ways out
    assert done.returncode == 2, done.stderr
    assert "sandbox is not installed" in done.stderr
    assert "make setup" in done.stderr and "RAZORPAY_KEY_ID" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "db").exists()
