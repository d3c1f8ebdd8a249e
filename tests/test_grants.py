"""Staff grants over HTTP: an admin gives a plan without payment until a moment; while live it is
the user's plan (the higher of it and what they pay for), revoking ends it at once, every grant
and revocation is in the access audit log, and only admins may do either."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import monitoring

from api.documents import AccessChange, GrantEntry, User
from api.services import Services
from api.settings import Settings
from tests.billing_calls import call, confirm, user_id
from tests.grant_calls import (
    CHANGES,
    GRANT,
    REVOKE,
    as_staff,
    clock_now,
    days_after,
    grant_access,
    holds,
    revoke_grant,
)
from tests.own_app import own_app
from tests.sandbox_driver import SandboxDriver
from tests.test_usage import WORKSPACE_TIERS, record

pytestmark = pytest.mark.asyncio(loop_scope="session")

UPGRADE_PRO = """mutation { upgrade(plan: "pro") { ... on CheckoutDetails { subscriptionId } } }"""


async def audit_of(client: httpx.AsyncClient, uid: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (
        await call(client, CHANGES, user="admin-1", roles=["admin"], u=uid)
    )["accessChanges"]
    return found


async def test_a_teams_grant_opens_team_and_teams_limits_until_revoked(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    async with own_app(settings, tmp_path / "var", policy_dir=WORKSPACE_TIERS) as tiers:
        # given a free user of the workspace tiers, with their one project
        uid = await user_id(tiers.client)
        assert (await record(tiers.client, feature="projects"))["used"] == 1
        now = await clock_now(tiers.sandbox)

        # when an admin grants them Teams for 30 days
        given = await grant_access(
            tiers.client, user_id=uid, plan="teams", until=days_after(now, 30)
        )

        # then Teams is their plan, naming the grant: the team feature, 20 projects, and a
        # second project goes through
        assert given["__typename"] == "AccessGrant"
        assert (given["plan"], given["grantedBy"], given["revokedAt"]) == ("teams", "admin-1", None)
        held = await holds(tiers.client)
        assert held["plan"] == "teams"
        assert given["id"] in held["reason"] and "conference speaker" in held["reason"]
        assert held["features"] == {
            "exports": True,
            "designer": True,
            "team": True,
            "white_label": False,
        }
        assert held["limits"] == {"projects": 20, "versions": None}
        assert (await record(tiers.client, feature="projects"))["used"] == 2

        # when the admin revokes it
        revoked = await revoke_grant(tiers.client, given["id"])

        # then they are back on Free at once, and the log says who did both, and why
        assert (revoked["revokedBy"], revoked["revokeReason"]) == ("admin-1", "ended early")
        held = await holds(tiers.client)
        assert (held["plan"], held["features"]["team"]) == ("free", False)
        assert held["limits"] == {"projects": 1, "versions": 2}
        assert (await record(tiers.client, feature="projects"))["__typename"] == "LimitReached"
        changes = await audit_of(tiers.client, uid)
        assert [(c["grantId"], c["actor"], c["subscriptionId"]) for c in changes] == [
            (given["id"], "admin-1", None)
        ] * 2
        assert [c["reason"] for c in changes] == ["ended early", "conference speaker"]
        assert changes[0]["before"] == changes[1]["after"] == given["until"]


async def test_the_higher_of_a_paid_plan_and_a_grant_wins(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    async with own_app(settings, tmp_path / "var", policy_dir=WORKSPACE_TIERS) as tiers:
        # given a user paying for Pro on the workspace tiers
        uid = await user_id(tiers.client)
        checkout = (await call(tiers.client, UPGRADE_PRO))["upgrade"]
        await confirm(tiers.client, await tiers.sandbox.pay(checkout["subscriptionId"]))
        await tiers.sandbox.drain()
        paid = await holds(tiers.client)
        now = await clock_now(tiers.sandbox)

        # when an admin grants them Business, then (once revoked) Pro itself
        business = await grant_access(
            tiers.client, user_id=uid, plan="business", until=days_after(now, 10)
        )
        with_business = await holds(tiers.client)
        await revoke_grant(tiers.client, business["id"])
        after_revoke = await holds(tiers.client)
        await grant_access(tiers.client, user_id=uid, plan="pro", until=days_after(now, 10))
        with_pro = await holds(tiers.client)

        # then Business wins over Pro, revoking goes back to what they pay for, and a grant no
        # higher than the paid plan leaves the paid plan (which renews) in charge
        assert paid["plan"] == "pro"
        assert (with_business["plan"], with_business["features"]["white_label"]) == (
            "business",
            True,
        )
        assert after_revoke == paid
        assert with_pro == paid


async def test_a_grant_ends_when_the_clock_passes_until(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a free user granted Pro for two days
    uid = await user_id(client)
    now = await clock_now(sandbox)
    await grant_access(client, user_id=uid, until=days_after(now, 2))
    assert (await holds(client))["features"]["github_import"] is True

    # when the clock passes the grant's end
    await sandbox.advance(days=2, hours=1)

    # then they are on Free again, and a new grant may be given
    held = await holds(client)
    assert (held["plan"], held["features"]["github_import"]) == ("free", False)
    assert held["limits"]["chats"] == 20
    again = await grant_access(client, user_id=uid, until=days_after(now, 9))
    assert again["__typename"] == "AccessGrant"


async def _stored() -> dict[str, Any]:
    return {
        "entries": [e.model_dump() for e in await GrantEntry.find_all().to_list()],
        "changes": [c.model_dump() for c in await AccessChange.find_all().to_list()],
        "users": sorted(str(u.grant) for u in await User.find_all().to_list()),
    }


async def test_support_may_neither_grant_nor_revoke_and_nothing_changes(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a user with a live Pro grant
    uid = await user_id(client)
    until = days_after(await clock_now(sandbox), 5)
    given = await grant_access(client, user_id=uid, until=until)
    before = await _stored()

    # when support staff try to grant, to revoke, and to list grants
    asked = {"u": uid, "plan": "pro", "until": until.isoformat(), "reason": "why not"}
    granting = await as_staff(client, GRANT, role="support", **asked)
    revoking = await as_staff(client, REVOKE, role="support", id=given["id"])
    listing = await as_staff(
        client, "query($u: ID!) { accessGrants(userId: $u) { id } }", role="support", u=uid
    )

    # then each is FORBIDDEN, and nothing changed: the grant is live, the log as it was
    for body in (granting, revoking, listing):
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await _stored() == before
    assert (await holds(client))["plan"] == "pro"


async def test_bad_grants_are_typed_failures_that_change_nothing(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a user with a live Pro grant, and one they have never had
    uid = await user_id(client)
    other = await user_id(client, user="user-2")
    now = await clock_now(sandbox)
    given = await grant_access(client, user_id=uid, until=days_after(now, 5))
    before = await _stored()

    # when an admin asks for what cannot be granted or revoked
    asks = [
        {"user_id": other, "plan": "enterprise", "until": days_after(now, 5)},
        {"user_id": other, "plan": "free", "until": days_after(now, 5)},
        {"user_id": other, "until": now - timedelta(minutes=1)},
        {"user_id": other, "until": days_after(now, 3 * 366 + 1)},
        {"user_id": "0" * 24, "until": days_after(now, 5)},
        {"user_id": uid, "plan": "pro", "until": days_after(now, 9)},
    ]
    codes = [(await grant_access(client, **ask)).get("code") for ask in asks]  # type: ignore[arg-type]
    unknown = await revoke_grant(client, f"{'0' * 24}:1")

    # then each is a typed failure and nothing was written
    assert codes == [
        "UNKNOWN_PLAN",
        "PLAN_NOT_GRANTABLE",
        "INVALID_UNTIL",
        "INVALID_UNTIL",
        "NOT_FOUND",
        "GRANT_EXISTS",
    ]
    assert unknown["code"] == "NOT_FOUND"
    assert await _stored() == before

    # and a grant revoked once is GRANT_NOT_LIVE the second time
    assert (await revoke_grant(client, given["id"]))["__typename"] == "AccessGrant"
    assert (await revoke_grant(client, given["id"]))["code"] == "GRANT_NOT_LIVE"


async def test_admins_granting_and_revoking_at_once_do_each_once(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a free user, and eight admins
    uid = await user_id(client)
    until = days_after(await clock_now(sandbox), 5)
    admins = [f"admin-{n}" for n in range(8)]

    # when all of them grant Pro at once, then all revoke the one grant at once
    granted = await asyncio.gather(
        *(grant_access(client, user_id=uid, until=until, admin=a) for a in admins)
    )
    [winner] = [g for g in granted if g["__typename"] == "AccessGrant"]
    revoked = await asyncio.gather(*(revoke_grant(client, winner["id"], admin=a) for a in admins))

    # then there was one grant and one revocation, each audited once, and the user is on Free
    assert sorted(str(g.get("code")) for g in granted) == ["GRANT_EXISTS"] * 7 + ["None"]
    assert sorted(str(r.get("code")) for r in revoked) == ["GRANT_NOT_LIVE"] * 7 + ["None"]
    assert [e.kind.value for e in await GrantEntry.find_all().sort("seq").to_list()] == [
        "grant",
        "revoke",
    ]
    assert len(await AccessChange.find_all().to_list()) == 2
    assert (await holds(client))["plan"] == "free"
    assert (await User.find_one(User.subject == "user-1")).grant is None  # type: ignore[union-attr]


async def test_admins_list_a_users_grants_newest_first(
    client: httpx.AsyncClient, sandbox: SandboxDriver
) -> None:
    # given a user granted Pro, revoked, and granted again
    uid = await user_id(client)
    until = days_after(await clock_now(sandbox), 5)
    first = await grant_access(client, user_id=uid, until=until)
    await revoke_grant(client, first["id"])
    second = await grant_access(client, user_id=uid, until=until, reason="beta tester")

    # when an admin lists their grants
    found = await call(
        client,
        "query($u: ID!) { accessGrants(userId: $u) { id reason revokedBy } }",
        user="admin-1",
        roles=["admin"],
        u=uid,
    )

    # then both are there, newest first, the first with who revoked it
    assert found["accessGrants"] == [
        {"id": second["id"], "reason": "beta tester", "revokedBy": None},
        {"id": first["id"], "reason": "conference speaker", "revokedBy": "admin-1"},
    ]


class Reads(monitoring.CommandListener):
    """The commands run on the collections deciding access, while recording."""

    def __init__(self) -> None:
        self.recording = False
        self.seen: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        if self.recording and target in WATCHED:
            self.seen.append(f"{event.command_name} {target}")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


WATCHED = {"users", "subscriptions", GrantEntry.Settings.name, AccessChange.Settings.name}
READS = Reads()
monitoring.register(READS)  # for the clients of apps made from here on: `own_app`'s
CAN_USE = '{ canUse(feature: "github_import") { ... on FeatureAccess { allowed } } }'


async def test_a_granted_users_access_costs_no_read_more(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    async with own_app(settings, tmp_path / "var") as own:
        # given a user granted Pro, and one never granted anything
        uid = await user_id(own.client, user="granted-1")
        await user_id(own.client, user="plain-1")
        now = await clock_now(own.sandbox)
        await grant_access(own.client, user_id=uid, until=days_after(now, 5))

        # when each asks whether they may import from GitHub
        seen: dict[str, list[str]] = {}
        for user in ("granted-1", "plain-1"):
            READS.seen, READS.recording = [], True
            answer = await call(own.client, CAN_USE, user=user)
            READS.recording = False
            seen[user] = READS.seen
            assert answer["canUse"]["allowed"] is (user == "granted-1")

    # then both cost the user document and the one indexed read of their subscriptions
    assert seen["granted-1"] == seen["plain-1"] == ["find users", "find subscriptions"]
