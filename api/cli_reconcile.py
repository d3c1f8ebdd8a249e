"""`python -m api reconcile` and `python -m api webhooks list|replay`: the operator's commands
for drift between the service and Razorpay. Each prints a table, or JSON with `--json`."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from api.billing.events.inbox import Outcome
from api.billing.events.replay import Chosen, replay, stored_events
from api.billing.reconcile import Report
from api.billing.reconcile_runs import run
from api.cli_billing import billing_of
from api.documents import WebhookEvent
from api.gateway.errors import GatewayCallError
from api.settings import Settings, check_startable

AGO = re.compile(r"(\d+(?:\.\d+)?)([dh])")
NOT_APPLIED = {Outcome.FAILED, Outcome.TIMED_OUT, Outcome.NOT_CONVERGED, Outcome.UNREADABLE}


def moment(text: str) -> datetime:
    """`--since`: an ISO 8601 time (UTC unless it says), or an age such as `7d` or `12h`."""
    ago = AGO.fullmatch(text)
    if ago:
        amount, unit = float(ago.group(1)), ago.group(2)
        return datetime.now(UTC) - timedelta(**{"days" if unit == "d" else "hours": amount})
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time or an age (7d, 12h): {text!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def reconcile_command(args: argparse.Namespace) -> int:
    settings = Settings()
    check_startable(settings)
    try:
        report = asyncio.run(_reconcile(settings, since=args.since, dry_run=args.dry_run))
    except GatewayCallError as error:
        # What was repaired before Razorpay stopped answering stays repaired; run it again.
        print(f"error: Razorpay: {error.message}", file=sys.stderr)
        return 1
    print(json.dumps(report.as_dict(), indent=2) if args.json else report_table(report))
    return 0


async def _reconcile(settings: Settings, *, since: datetime | None, dry_run: bool) -> Report:
    async with billing_of(settings) as billing:
        started = billing.now().isoformat()
        report = await run(
            billing,
            run_id=f"reconcile:manual:{started}",
            recent=settings.reconcile_recent,
            since=since,
            dry_run=dry_run,
        )
    assert report is not None  # a manual run's id is its own
    return report


def report_table(report: Report) -> str:
    mode = " (dry run: nothing repaired)" if report.dry_run else ""
    lines = [
        f"Reconciled with Razorpay since {report.since:%Y-%m-%d %H:%M} UTC{mode}: "
        f"{report.subscriptions_checked} subscriptions and {report.payments_checked} payments "
        f"checked, {len(report.findings)} differences, {report.repaired} repaired."
    ]
    if report.findings:
        rows = [("DRIFT", "RAZORPAY ID", "HERE", "AT RAZORPAY", "REPAIRED")]
        rows += [
            (f.drift.value, f.subject, f.ours or "-", f.razorpays or "-", _yes(f.repaired))
            for f in report.findings
        ]
        lines += table(rows)
    return "\n".join(lines)


def list_command(args: argparse.Namespace) -> int:
    events = asyncio.run(_listed(Settings(), Chosen(failed=args.failed)))
    if args.json:
        print(json.dumps([_event(e) for e in events], indent=2))
        return 0
    rows = [("EVENT ID", "EVENT", "STATUS", "ATTEMPTS", "RECEIVED", "ERROR")]
    rows += [
        (
            e.id,
            e.event,
            e.status.value,
            str(e.attempts),
            f"{e.received_at:%Y-%m-%d %H:%M:%S}",
            (e.error or "")[:60],
        )
        for e in events
    ]
    print("\n".join(table(rows)) if events else "No stored events match.")
    return 0


async def _listed(settings: Settings, chosen: Chosen) -> list[WebhookEvent]:
    async with billing_of(settings):
        return await stored_events(chosen)


def replay_command(args: argparse.Namespace) -> int:
    if not (args.failed or args.event or args.since):
        print("Say which events: --failed, --event ID or --since TIME.")
        return 2
    chosen = Chosen(failed=args.failed, event_id=args.event, since=args.since)
    results = asyncio.run(_replayed(Settings(), chosen))
    if args.json:
        print(json.dumps([{"event_id": i, "outcome": o.value} for i, o in results], indent=2))
    else:
        rows = [("EVENT ID", "OUTCOME")] + [(i, o.value) for i, o in results]
        print("\n".join(table(rows)) if results else "No stored events match.")
    return 1 if any(outcome in NOT_APPLIED for _, outcome in results) else 0


async def _replayed(settings: Settings, chosen: Chosen) -> list[tuple[str, Outcome]]:
    budget = timedelta(seconds=settings.webhook_budget_seconds)
    async with billing_of(settings) as billing:
        return [
            (event.id, (await replay(billing, event, budget=budget)).status)
            for event in await stored_events(chosen)
        ]


def _event(event: WebhookEvent) -> dict[str, Any]:
    shown: dict[str, Any] = event.model_dump(mode="json", exclude={"body", "revision_id"})
    return shown


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def add_commands(commands: Any) -> None:
    """The subcommands, on `python -m api`'s parser."""
    recon = commands.add_parser("reconcile", help="compare with Razorpay and repair the drift")
    recon.add_argument(
        "--since",
        type=moment,
        help="read Razorpay's payments from (default: "
        "where the last run started; ISO time or an age: 7d, 12h)",
    )
    recon.add_argument("--dry-run", action="store_true", help="report only, repair nothing")
    recon.add_argument("--json", action="store_true", help="print the report as JSON")
    hooks = commands.add_parser("webhooks", help="the stored webhook events")
    actions = hooks.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list stored events, oldest first")
    listing.add_argument("--failed", action="store_true", help="only those not applied")
    listing.add_argument("--json", action="store_true", help="print JSON")
    again = actions.add_parser("replay", help="apply stored events again, through the inbox")
    again.add_argument("--failed", action="store_true", help="every failed event")
    again.add_argument("--event", help="the event with this id")
    again.add_argument("--since", type=moment, help="events received since (ISO time or 7d)")
    again.add_argument("--json", action="store_true", help="print JSON")


def webhooks_command(args: argparse.Namespace) -> int:
    return list_command(args) if args.action == "list" else replay_command(args)
