"""Reconciliation: webhooks the service never got, and changes made in Razorpay's Dashboard,
repaired by reading Razorpay, through the paths webhooks take, once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from datetime import timedelta

import httpx
import pytest

from api.billing.reconcile import Drift, Report
from api.billing.reconcile_runs import run
from api.documents import AccessChange
from api.services import Services
from api.settings import Settings
from tests.billing_calls import SUBSCRIPTION, become_pro, call, payments_of, plan_of
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")
RECENT = timedelta(days=40)


async def reconciled(services: Services) -> Report:
    report = await run(services.billing, run_id=f"reconcile:manual:{uuid.uuid4()}", recent=RECENT)
    assert report is not None
    return report


async def audit_sources(subscription_id: str) -> list[str]:
    """What made each change of the subscription's access, oldest first."""
    changes = await AccessChange.find(
        AccessChange.razorpay_subscription_id == subscription_id
    ).to_list()
    return [c.source.partition(":")[0] for c in sorted(changes, key=lambda c: c.at)]


async def ours(client: httpx.AsyncClient) -> dict[str, list[int]]:
    """The user's payments as the service shows them: payment id → its refunds' amounts."""
    return {
        p["id"]: sorted(r["amount"]["amount"] for r in p["refunds"])
        for p in await payments_of(client)
    }


async def test_reconcile_repairs_a_missed_renewal_and_a_dashboard_refund(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Services
) -> None:
    # given a Pro user whose renewal, and a refund made in the Dashboard, never reach the service
    subscription_id = await become_pro(client, sandbox)
    [first] = await payments_of(client)
    await sandbox.drop()
    await sandbox.advance_past_next_charge(subscription_id)
    await sandbox.dashboard_refund(first["id"], amount=2500)
    razorpays = await sandbox.payments_of(subscription_id)
    assert len(razorpays) == 2
    # the service is wrong: the renewal unseen, so the paid-for user is free, and a refund missing
    assert await plan_of(client) == "free"
    assert await ours(client) == {first["id"]: []}

    # when reconciliation runs
    report = await reconciled(services)

    # then the service matches Razorpay, and says what it repaired
    assert await ours(client) == razorpays
    assert await plan_of(client) == "pro"
    drifts = {finding.drift for finding in report.findings}
    assert drifts == {
        Drift.PAYMENT_MISSING,
        Drift.REFUND_MISSING,
        Drift.SUBSCRIPTION_STATUS,
        Drift.ACCESS,
    }
    assert all(finding.repaired for finding in report.findings)
    # and the audit log names reconciliation as what granted the access
    assert (await audit_sources(subscription_id))[-1] == "reconciliation"

    # and a second run finds nothing to repair
    again = await reconciled(services)
    assert (again.findings, again.repaired) == ([], 0)


async def test_reconcile_ends_access_cancelled_in_the_dashboard(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Services
) -> None:
    # given a Pro user whose subscription is cancelled in the Dashboard, the webhook dropped
    subscription_id = await become_pro(client, sandbox)
    await sandbox.drop()
    await sandbox.dashboard_cancel(subscription_id)
    assert (await sandbox.subscription(subscription_id))["status"] == "cancelled"
    assert await plan_of(client) == "pro"  # wrong

    # when reconciliation runs twice
    report = await reconciled(services)
    again = await reconciled(services)

    # then the user is free, the subscription cancelled, by reconciliation, and only once
    assert await plan_of(client) == "free"
    assert (await call(client, SUBSCRIPTION))["subscription"]["status"] == "CANCELLED"
    assert [(f.drift, f.ours, f.razorpays) for f in report.findings[:1]] == [
        (Drift.SUBSCRIPTION_STATUS, "active/1", "cancelled/1")
    ]
    assert [(f.drift, f.repaired) for f in report.findings] == [
        (Drift.SUBSCRIPTION_STATUS, True),
        (Drift.ACCESS, True),
    ]
    assert (await audit_sources(subscription_id))[-1] == "reconciliation"
    assert again.repaired == 0


async def test_a_dry_run_reports_drift_and_repairs_nothing(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Services
) -> None:
    # given a cancellation the service missed
    subscription_id = await become_pro(client, sandbox)
    await sandbox.drop()
    await sandbox.dashboard_cancel(subscription_id)

    # when a dry run looks
    report = await run(services.billing, run_id="unused", recent=RECENT, dry_run=True)

    # then it reports the drift, and the service is as wrong as before
    assert report is not None
    assert [(f.drift, f.repaired) for f in report.findings] == [(Drift.SUBSCRIPTION_STATUS, False)]
    assert await plan_of(client) == "pro"


async def test_the_reconcile_command_reports_a_dry_run_as_json(
    client: httpx.AsyncClient, sandbox: SandboxDriver, services: Services, settings: Settings
) -> None:
    # given a cancellation the service missed
    subscription_id = await become_pro(client, sandbox)
    await sandbox.drop()
    await sandbox.dashboard_cancel(subscription_id)

    # when an operator runs `python -m api reconcile --dry-run --json` beside the service
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RAZORPAY_", "MONGODB_"))},
        "MONGODB_URI": str(settings.mongodb_uri),
        "MONGODB_DB": settings.mongodb_db,
        "DATA_DIR": str(settings.data_dir),
        "PORT": str(settings.port),
    }
    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api", "reconcile", "--dry-run", "--json",
        env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await command.communicate()

    # then it prints the drift as JSON, and repaired nothing
    assert command.returncode == 0, err.decode()
    report = json.loads(out)
    assert (report["dry_run"], report["repaired"]) == (True, 0)
    assert [f["drift"] for f in report["findings"]] == ["subscription_status"]
    assert await plan_of(client) == "pro"
