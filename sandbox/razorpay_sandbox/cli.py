"""`python -m api sandbox info | pay | advance | next-charge`: talks to the running service.

Reads the sandbox keys from DATA_DIR/sandbox/credentials.json (DATA_DIR defaults to ./var) and
the service address from HOST (0.0.0.0 means this machine) and PORT (default 8000).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from razorpay_sandbox.credentials import SandboxCredentials, credentials_path, read_credentials
from razorpay_sandbox.entities.payments import FAILURES

TIMEOUT = 30.0
WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104 - compared against, never bound


class CliError(Exception):
    """A problem to report in one line, with exit status 1."""


def base_url() -> str:
    host = os.environ.get("HOST", "127.0.0.1")
    host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    return f"http://{host}:{os.environ.get('PORT', '8000')}/sandbox"


def credentials() -> SandboxCredentials:
    path = credentials_path(Path(os.environ.get("DATA_DIR", "./var")))
    if not path.exists():
        raise CliError(f"No sandbox credentials at {path}: start the service once (make run).")
    return read_credentials(path)


def call(path: str, body: dict[str, Any] | None = None) -> Any:
    keys = credentials()
    method = "GET" if body is None else "POST"
    response = httpx.request(
        method, base_url() + path, json=body, auth=(keys.key_id, keys.key_secret), timeout=TIMEOUT
    )
    if response.status_code >= 400:
        raise CliError(f"{response.status_code}: {response.text}")
    return response.json()


def info(args: argparse.Namespace) -> Any:
    keys = credentials()
    return {
        "base_url": base_url(),
        "key_id": keys.key_id,
        "key_secret": keys.key_secret,
        "webhook_secret": keys.webhook_secret,
    }


def pay(args: argparse.Namespace) -> Any:
    field = "order_id" if args.id.startswith("order_") else "subscription_id"
    outcome = {"outcome": "fail", "reason": args.fail} if args.fail else {"outcome": "success"}
    card = {"international": True} if args.international else {}
    return call("/control/checkout", {field: args.id, **outcome, "method": args.method, **card})


def advance(args: argparse.Namespace) -> Any:
    seconds = round(args.days * 86_400 + args.hours * 3_600)
    return call("/control/clock/advance", {"seconds": seconds})


def next_charge(args: argparse.Namespace) -> Any:
    outcome = {"outcome": "success"} if args.succeed else {"outcome": "fail", "reason": args.fail}
    return call(f"/control/subscriptions/{args.id}/next-charge", {**outcome, "count": args.count})


# Only the reasons the sandbox knows: an unknown one would fail with a made-up, generic error.
FAIL_REASON: dict[str, Any] = {
    "choices": sorted(FAILURES),
    "metavar": "REASON",
    "help": "fail with this reason, one of: " + ", ".join(sorted(FAILURES)),
}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m api sandbox")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("info", help="print base_url and keys as JSON").set_defaults(run=info)
    paying = commands.add_parser("pay", help="complete Checkout for a subscription or order")
    paying.add_argument("id", help="sub_… or order_…")
    paying.add_argument("--fail", **FAIL_REASON)
    paying.add_argument("--method", default="card", help="card (default), upi, emandate, …")
    paying.add_argument(
        "--international", action="store_true", help="an international card (can be updated)"
    )
    paying.set_defaults(run=pay)
    moving = commands.add_parser("advance", help="move the sandbox clock forward")
    moving.add_argument("--days", type=float, default=0.0, help="days to move (default 0)")
    moving.add_argument("--hours", type=float, default=0.0, help="hours to move (default 0)")
    moving.set_defaults(run=advance)
    charging = commands.add_parser("next-charge", help="set a subscription's next charge")
    charging.add_argument("id", help="sub_…")
    choice = charging.add_mutually_exclusive_group(required=True)
    choice.add_argument("--fail", **FAIL_REASON)
    choice.add_argument("--succeed", action="store_true", help="the charge succeeds")
    charging.add_argument("--count", type=int, default=1, help="how many charges (default 1)")
    charging.set_defaults(run=next_charge)
    return root


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.command == "advance" and args.days * 86_400 + args.hours * 3_600 < 1:
        print("advance needs --days or --hours greater than zero", file=sys.stderr)
        return 2
    try:
        result = args.run(args)
    except httpx.HTTPError as error:
        print(f"Cannot reach the service at {base_url()}: {error}", file=sys.stderr)
        return 1
    except CliError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
