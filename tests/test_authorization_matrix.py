"""Every guarded field x (anonymous, free, pro, another user, support, admin): allowed, or the
exact error code; and every denial changed no document, here or at Razorpay. The table is
tests/authorization_matrix.py.

Every row starts from one world, built once through the app and the sandbox. Allowed mutations
change it, so before each row its documents are put back as they were built; a row that changed
what Razorpay shows of the owner's subscription or payment (a refund) has the world built again.
Razorpay shows nowhere that a subscription will cancel at its period end, and nothing here moves
the clock, so the owner's cancel leaves nothing at Razorpay that a later row could see.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from tests.signed_webhooks import at_razorpay

pytestmark = pytest.mark.asyncio(loop_scope="session")

REQUEST_REFUND = """mutation($id: String!) {
  requestRefund(paymentId: $id, reason: "more, please") { ... on RefundRequest { id } } }"""

SUBJECTS = {"free": "free-1", "pro": "owner-1", "other": "other-1", "support": "support-1"}
SUBJECTS["admin"] = "admin-1"
CODES = {"UNAUTHENTICATED", "FORBIDDEN", "UPGRADE_REQUIRED"}
ANONYMOUS_BUDGET = f"{Budget.ANONYMOUS.value}:"
READS = [row for row in ROWS if not row.field.startswith("Mutation.")]
WRITES = [row for row in ROWS if row.field.startswith("Mutation.")]
Documents = dict[str, list[dict[str, Any]]]


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


async def build_world(client: httpx.AsyncClient, sandbox: SandboxDriver) -> World:
    """The owner paid for Pro (support refunded ₹5 of it, and the owner asked for more); every
    caller is a known user."""
    owner = SUBJECTS[PRO]
    checkout = await start_upgrade(client, user=owner)
    handler = await sandbox.pay(checkout["subscriptionId"])
    await confirm(client, handler, user=owner)
    await sandbox.drain()
    payment_id = (await payments_of(client, user=owner))[0]["id"]
    refund = {"id": payment_id, "access": "KEEP", "amount": 500}
    await call(client, REFUND, user="refunder-1", roles=[SUPPORT], **refund)
    await sandbox.drain()
    asked = await call(client, REQUEST_REFUND, user=owner, id=payment_id)
    request_id = asked["requestRefund"]["id"]
    callers = [c for c in CALLERS if c != ANON]
    ids = await asyncio.gather(*(user_id(client, user=SUBJECTS[c]) for c in callers))
    return World(
        ids=dict(zip(callers, ids, strict=True)),
        payment_id=payment_id,
        refund_request_id=request_id,
        handler=handler,
        tomorrow=datetime.fromtimestamp(await sandbox.now() + 86400, UTC).isoformat(),
    )


async def razorpay_side(sandbox: SandboxDriver, world: World) -> dict[str, Any]:
    """What Razorpay shows of the owner's subscription and payment, and how far its clock moved."""
    subscription_id = world.handler["razorpay_subscription_id"]
    return {
        "subscription": await at_razorpay(sandbox, f"subscriptions/{subscription_id}"),
        "payment": await at_razorpay(sandbox, f"payments/{world.payment_id}"),
        "refunds": await at_razorpay(sandbox, f"payments/{world.payment_id}/refunds"),
        "clock_moved": await sandbox.moved(),
    }


@dataclass
class Worlds:
    """The world every row starts from: built once, put back before each row."""

    app: Starlette
    client: httpx.AsyncClient
    sandbox: SandboxDriver
    stage: Stage | None = None
    documents: Documents = field(default_factory=dict)
    at_razorpay: dict[str, Any] = field(default_factory=dict)

    async def fresh(self) -> Stage:
        await self.sandbox.drain()  # nothing the last row set off lands after this
        stage = self.stage
        if stage is None or await razorpay_side(self.sandbox, stage.world) != self.at_razorpay:
            return await self.build()
        await restore(stage.services, self.documents)
        return stage

    async def build(self) -> Stage:
        services = await emptied(self.app)
        world = await build_world(self.client, self.sandbox)
        self.stage = Stage(self.client, self.sandbox, services, world)
        self.documents = await all_documents(services)
        self.at_razorpay = await razorpay_side(self.sandbox, world)
        return self.stage


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def worlds(app: Starlette, settings: Settings) -> AsyncIterator[Worlds]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.port}", timeout=30) as http:
        sandbox = SandboxDriver.for_data_dir(http, settings.data_dir)
        await sandbox.knobs()
        await sandbox.clear_faults()
        started = await sandbox.now()
        yield Worlds(app, http, sandbox)
        await sandbox.stop_charging(created_since=started)


@pytest_asyncio.fixture(loop_scope="session")
async def stage(worlds: Worlds) -> Stage:
    """The world, as it was built."""
    return await worlds.fresh()


async def all_documents(services: Services) -> Documents:
    names = sorted(await services.database.list_collection_names())
    read = [services.database[name].find({}).to_list() for name in names]
    found = await asyncio.gather(*read)
    return {
        name: sorted(documents, key=lambda d: str(d["_id"]))
        for name, documents in zip(names, found, strict=True)
    }


async def restore(services: Services, documents: Documents) -> None:
    """Put back, as they were, the collections whose documents are not."""
    now = await all_documents(services)
    for name in sorted(now.keys() | documents.keys()):
        if now.get(name, []) != documents.get(name, []):
            await services.database[name].delete_many({})
            if documents.get(name):
                await services.database[name].insert_many(copy.deepcopy(documents[name]))


async def snapshot(services: Services) -> Documents:
    """Every document of every collection, but the anonymous budget's slots: every anonymous
    request spends its address's budget, refused or not (a denied user spends none of theirs)."""
    found = await all_documents(services)
    slots = RateSlot.Settings.name
    if slots in found:
        found[slots] = [d for d in found[slots] if not d["bucket"].startswith(ANONYMOUS_BUDGET)]
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
    left: dict[str, Any] | None = None  # everything, as the last caller (denied) left it
    for caller in CALLERS:
        expected = row.expect[caller]
        denied = expected in CODES
        before = (left or await everything(stage)) if denied else None

        # when the caller calls the field
        found, errors = await attempt(stage, row, caller)
        if not denied and row.field.startswith("Mutation."):
            await stage.sandbox.drain()  # what the call set off at Razorpay has landed

        # then the outcome is the matrix's, and a denial, at that very field, changed nothing
        assert found == expected, f"{row.field} as {caller}: {found} {errors}"
        left = None
        if before is not None:
            assert all(e["path"][-1] == row.denied_at(caller) for e in errors), errors
            left = await everything(stage)
            assert left == before, f"{row.field} as {caller} changed data"


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
async def test_the_authorization_matrix_for_reads(row: Row, stage: Stage) -> None:
    # given the world: the owner paid for Pro and was refunded a part of it
    await check_row(stage, row)


@pytest.mark.parametrize("row", WRITES, ids=[row.field for row in WRITES])
async def test_the_authorization_matrix_for_mutations(row: Row, stage: Stage) -> None:
    # given the world, as it was built, whatever an earlier row did to it
    await check_row(stage, row)
