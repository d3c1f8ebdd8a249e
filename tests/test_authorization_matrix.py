"""Every guarded field x (anonymous, free, pro, another user, support, admin): allowed, or the
exact error code; and every denial changed no document, here or at Razorpay. The table is
tests/authorization_matrix.py.

Reads share one world, built once for this module; each mutation row gets a fresh one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from api.documents import RateSlot
from api.graphql.guards import guards_of
from api.graphql.schema import build_schema
from api.ratelimit import Budget
from api.services import Services
from api.settings import Settings
from tests.authorization_matrix import ANON, CALLERS, PRO, ROWS, STAFF, SUPPORT, Row, World, summary
from tests.billing_calls import REFUND, call, confirm, payments_of, start_upgrade, user_id
from tests.builders import graphql, token
from tests.conftest import emptied
from tests.sandbox_driver import SandboxDriver

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUBJECTS = {"free": "free-1", "pro": "owner-1", "other": "other-1", "support": "support-1"}
SUBJECTS["admin"] = "admin-1"
CODES = {"UNAUTHENTICATED", "FORBIDDEN", "UPGRADE_REQUIRED"}
ANONYMOUS_BUDGET = f"{Budget.ANONYMOUS.value}:"
READS = [row for row in ROWS if not row.field.startswith("Mutation.")]
WRITES = [row for row in ROWS if row.field.startswith("Mutation.")]


@dataclass(frozen=True)
class Stage:
    client: httpx.AsyncClient
    sandbox: SandboxDriver
    services: Services
    world: World


def bearer_of(caller: str) -> str | None:
    if caller == ANON:
        return None
    roles = [caller] if caller in STAFF else None
    return token(sub=SUBJECTS[caller], email=f"{SUBJECTS[caller]}@example.com", roles=roles)


async def build_world(
    client: httpx.AsyncClient, sandbox: SandboxDriver, *, refunded: bool
) -> World:
    """The owner paid for Pro (and support refunded ₹5 of it); every caller is a known user."""
    owner = SUBJECTS[PRO]
    checkout = await start_upgrade(client, user=owner)
    handler = await sandbox.pay(checkout["subscriptionId"])
    await confirm(client, handler, user=owner)
    await sandbox.drain()
    payment_id = (await payments_of(client, user=owner))[0]["id"]
    if refunded:
        refund = {"id": payment_id, "access": "KEEP", "amount": 500}
        await call(client, REFUND, user="refunder-1", roles=[SUPPORT], **refund)
        await sandbox.drain()
    callers = [c for c in CALLERS if c != ANON]
    ids = await asyncio.gather(*(user_id(client, user=SUBJECTS[c]) for c in callers))
    return World(ids=dict(zip(callers, ids, strict=True)), payment_id=payment_id, handler=handler)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def shared_stage(app: Starlette, settings: Settings) -> AsyncIterator[Stage]:
    services = await emptied(app)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.port}") as http:
        sandbox = SandboxDriver.for_data_dir(http, settings.data_dir)
        await sandbox.knobs()
        started = await sandbox.now()
        yield Stage(http, sandbox, services, await build_world(http, sandbox, refunded=True))
        await sandbox.stop_charging(created_since=started)


async def snapshot(services: Services) -> dict[str, list[dict[str, Any]]]:
    """Every document of every collection, but the anonymous budget's slots: every anonymous
    request spends its address's budget, refused or not (a denied user spends none of theirs)."""
    found = {}
    for name in sorted(await services.database.list_collection_names()):
        documents = await services.database[name].find({}).to_list()
        if name == RateSlot.Settings.name:
            documents = [d for d in documents if not d["bucket"].startswith(ANONYMOUS_BUDGET)]
        found[name] = sorted(documents, key=lambda d: str(d["_id"]))
    return found


async def attempt(stage: Stage, row: Row, caller: str) -> tuple[str, list[dict[str, Any]]]:
    response = await graphql(
        stage.client,
        row.operation_for(caller),
        variables=row.variables(stage.world, caller),
        bearer=bearer_of(caller),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    errors: list[dict[str, Any]] = body.get("errors", [])
    if errors:
        codes = {e.get("extensions", {}).get("code") for e in errors}
        assert len(codes) == 1, errors
        return str(codes.pop()), errors
    return summary(next(iter(body["data"].values()))), errors


async def everything(stage: Stage) -> dict[str, Any]:
    """The service's documents and what Razorpay holds, once what was set off has landed."""
    razorpay = await stage.sandbox.fingerprint()
    return {"documents": await snapshot(stage.services), "razorpay": razorpay}


async def check_row(stage: Stage, row: Row) -> None:
    for caller in CALLERS:
        expected = row.expect[caller]
        before = await everything(stage) if expected in CODES else None

        # when the caller calls the field
        found, errors = await attempt(stage, row, caller)
        if before is None and row.field.startswith("Mutation."):
            await stage.sandbox.drain()  # what the call set off at Razorpay has landed

        # then the outcome is the matrix's, and a denial, at that very field, changed nothing
        assert found == expected, f"{row.field} as {caller}: {found} {errors}"
        if before is not None:
            assert all(e["path"][-1] == row.denied_at(caller) for e in errors), errors
            assert await everything(stage) == before, f"{row.field} as {caller} changed data"


async def test_every_guarded_field_and_every_root_field_has_a_row() -> None:
    fields = guards_of(build_schema())
    needed = {
        name
        for name, permission in fields.items()
        if permission is not None or name.startswith(("Query.", "Mutation."))
    }

    assert {row.field for row in ROWS} == needed
    assert all(set(row.expect) == set(CALLERS) for row in ROWS)


@pytest.mark.parametrize("row", READS, ids=[row.field for row in READS])
async def test_the_authorization_matrix_for_reads(row: Row, shared_stage: Stage) -> None:
    # given the shared world (reads change nothing, so every row can use it)
    await check_row(shared_stage, row)


@pytest.mark.parametrize("row", WRITES, ids=[row.field for row in WRITES])
async def test_the_authorization_matrix_for_mutations(
    row: Row, client: httpx.AsyncClient, services: Services, sandbox: SandboxDriver
) -> None:
    # given a world of this row's own
    world = await build_world(client, sandbox, refunded=False)
    await check_row(Stage(client, sandbox, services, world), row)
