"""`python -m api serve | token | schema | plans | reconcile | webhooks | sandbox ...`"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from api.cli_reconcile import add_commands as add_ops_commands
from api.cli_reconcile import reconcile_command, webhooks_command
from api.clock import SystemClock
from api.identity.dev_secret import dev_secret_path
from api.identity.tokens import STAFF_ROLES
from api.identity.verifier import token_verifier
from api.private_files import private_dir
from api.razorpay_wiring import check_sandbox_installed, sandbox_required
from api.settings import ConfigurationError, Settings, check_startable
from api.web.metrics_route import MULTIPROC_ENV


def serve(args: argparse.Namespace) -> int:
    from api.cli_billing import publish_embedded_uri
    from api.localdb import LocalDatabase

    settings = Settings()
    check_startable(settings)
    check_sandbox_installed(settings)
    _print_banner(settings)
    if settings.data_dir.exists():
        private_dir(settings.data_dir)  # an older version created it open to others
    with ExitStack() as stack:
        if settings.uses_embedded_database:
            uri = stack.enter_context(LocalDatabase(settings.data_dir / "db"))
            publish_embedded_uri(settings, uri)
            settings = settings.model_copy(update={"mongodb_uri": uri})
        if settings.workers == 1:
            _serve_here(settings)
        else:
            _serve_with_workers(settings, stack)
    return 0


def _serve_here(settings: Settings) -> None:
    import uvicorn

    from api.app import create_app

    # log_config=None: uvicorn's records go through the JSON handler the app installed.
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, access_log=False, log_config=None)


def _serve_with_workers(settings: Settings, stack: ExitStack) -> None:
    """Each worker builds the app from the environment, which this process completes: the
    database it started, and the sandbox it runs once for all of them (see sandbox_host)."""
    import uvicorn

    from api.sandbox_host import sandbox_beside_workers
    from api.web.logging import configure_logging

    configure_logging(settings.log_level)
    os.environ[MULTIPROC_ENV] = str(_fresh_metrics_dir(settings))
    assert settings.mongodb_uri is not None
    os.environ["MONGODB_URI"] = settings.mongodb_uri
    if settings.uses_sandbox:
        os.environ["SANDBOX_URL"] = stack.enter_context(sandbox_beside_workers(settings))
    token_verifier(settings)  # the dev JWT secret, made once before the workers read it
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
    )


def _fresh_metrics_dir(settings: Settings) -> Path:
    """Where the workers keep their metric values: emptied at each start, since values a past
    run left would be added to this one's."""
    folder = settings.data_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    return private_dir(folder)


def _print_banner(settings: Settings) -> None:
    base = f"http://{settings.public_host}:{settings.port}"
    database = "embedded (FerretDB/SQLite)" if settings.uses_embedded_database else "MONGODB_URI"
    workers = f", {settings.workers} workers" if settings.workers > 1 else ""
    print(f"Billing API ({settings.app_env}), database: {database}{workers}", flush=True)
    if settings.is_prod:
        return
    print(f"GraphiQL: {base}/graphql", flush=True)
    print(
        "Sign in: `python -m api token --sub user-1 --email user-1@example.com`, then in GraphiQL's"
        ' Headers pane: {"Authorization": "Bearer <token>"}',
        flush=True,
    )


def token(args: argparse.Namespace) -> int:
    settings = Settings()
    if settings.is_prod:
        print("`token` is for development only (APP_ENV=dev).", file=sys.stderr)
        return 2
    longest = settings.jwt_max_lifetime_hours
    hours = longest if args.ttl_hours is None else args.ttl_hours
    if not 0 < hours <= longest:
        print(
            f"--ttl-hours must be above 0 and at most {longest:g} (JWT_MAX_LIFETIME_HOURS).",
            file=sys.stderr,
        )
        return 2
    if not _has_dev_secret(settings, make_one=args.new_secret):
        return 2
    print(
        token_verifier(settings).issue(
            subject=args.sub,
            email=args.email,
            roles=frozenset(args.role or ()),
            now=SystemClock().now(),
            ttl=timedelta(hours=hours),
        )
    )
    return 0


def _has_dev_secret(settings: Settings, *, make_one: bool) -> bool:
    """A token signed with a secret of its own would be refused by the service, which reads its
    secret from its own DATA_DIR: so a missing one is made only when asked, and loudly."""
    path = dev_secret_path(settings)
    if settings.jwt_secret is not None or path.exists():
        return True
    if not make_one:
        print(
            f"error: no dev JWT secret at {path.resolve()}, so the service would refuse a token "
            "made here. Run this with the service's DATA_DIR (start it once: make run), "
            "or pass --new-secret to make one in this DATA_DIR.",
            file=sys.stderr,
        )
        return False
    print(f"Making a new dev JWT secret at {path.resolve()}.", file=sys.stderr)
    return True


def schema(args: argparse.Namespace) -> int:
    from api.graphql.schema import build_schema
    from api.graphql.sdl import printed_schema

    print(printed_schema(build_schema()))
    return 0


def plans(args: argparse.Namespace) -> int:
    from api.cli_plans import main as plans_main
    from api.gateway.errors import GatewayCallError

    settings = Settings()
    check_startable(settings)
    try:
        return plans_main(settings)
    except GatewayCallError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1


def sandbox(rest: Sequence[str]) -> int:
    with sandbox_required():
        from razorpay_sandbox.cli import main as sandbox_main

    return sandbox_main(list(rest))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the API (embedded database and sandbox by default)")
    issue = commands.add_parser("token", help="print a signed-in token (development only)")
    issue.add_argument("--sub", required=True, help="the user's stable id")
    issue.add_argument("--email", help="the user's email, put in the token")
    issue.add_argument(
        "--role",
        action="append",
        choices=sorted(STAFF_ROLES),
        help="a staff role (repeat for several; none: an ordinary user)",
    )
    issue.add_argument(
        "--ttl-hours",
        type=float,
        help="how long it lives (default and most: JWT_MAX_LIFETIME_HOURS)",
    )
    issue.add_argument(
        "--new-secret",
        action="store_true",
        help="make a dev JWT secret in DATA_DIR if there is none (the service makes it at start)",
    )
    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    plan = commands.add_parser("plans", help="the catalog's prices at Razorpay")
    plan.add_argument(
        "action",
        choices=["sync"],
        help="find or create a Razorpay plan for every sold price; print one line per price",
    )
    add_ops_commands(commands)
    # Listed for the help only: main() hands everything after `sandbox` to the sandbox's own
    # parser, since argparse's REMAINDER refuses a first argument that starts with `-` (`--help`).
    commands.add_parser("sandbox", help="drive the running Razorpay sandbox (see its --help)")
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": serve,
    "token": token,
    "schema": schema,
    "plans": plans,
    "reconcile": reconcile_command,
    "webhooks": webhooks_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv[:1] == ["sandbox"]:
            return sandbox(argv[1:])
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"error: invalid settings:\n{_explain(error)}", file=sys.stderr)
        return 2


def _explain(error: ValidationError) -> str:
    """One line per bad setting, named as its environment variable, without a traceback."""
    lines = []
    for problem in error.errors():
        name = ".".join(map(str, problem["loc"])).upper()
        shown = "***" if "SECRET" in name else repr(problem["input"])
        lines.append(f"  {name}={shown}: {problem['msg']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
