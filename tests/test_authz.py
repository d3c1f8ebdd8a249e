"""The authorizer and a request's caller, on the policy files as they are: no database."""

from __future__ import annotations

import asyncio

import pytest

from api.authz.caller import Caller, Verdict
from api.identity.tokens import Principal
from tests.policy_files import POLICIES, authorizer_of

pytestmark = pytest.mark.asyncio(loop_scope="session")


class GrantReads:
    """Stands in for the one database read of the user's plan, and counts it."""

    def __init__(self, *, pro: bool) -> None:
        self.pro = pro
        self.reads = 0

    async def __call__(self) -> str:
        self.reads += 1
        await asyncio.sleep(0)  # let concurrent callers overlap, as sibling fields do
        return "pro" if self.pro else "free"


async def _no() -> str:
    return "free"


def caller(
    *, signed_in: bool = True, staff: frozenset[str] = frozenset(), pro: bool = False
) -> tuple[Caller, GrantReads]:
    reads = GrantReads(pro=pro)
    principal = Principal(subject="user-1", staff_roles=staff) if signed_in else None
    return Caller(authorizer_of(POLICIES), principal, reads), reads


@pytest.mark.parametrize(
    ("signed_in", "staff", "pro", "permission", "expected"),
    [
        (False, frozenset(), False, ("plan", "read"), Verdict.ALLOWED),
        (False, frozenset(), False, ("payment", "read"), Verdict.UNAUTHENTICATED),
        (False, frozenset(), False, ("payment", "refund"), Verdict.UNAUTHENTICATED),
        (True, frozenset(), False, ("payment", "read"), Verdict.ALLOWED),
        (True, frozenset(), False, ("feature", "github_import"), Verdict.UPGRADE_REQUIRED),
        (True, frozenset(), True, ("feature", "github_import"), Verdict.ALLOWED),
        (True, frozenset(), True, ("payment", "refund"), Verdict.FORBIDDEN),
        (True, frozenset({"support"}), False, ("payment", "refund"), Verdict.ALLOWED),
        (True, frozenset({"support"}), False, ("access", "read_any"), Verdict.FORBIDDEN),
        (True, frozenset({"admin"}), False, ("payment", "refund"), Verdict.ALLOWED),
        (True, frozenset({"admin"}), False, ("feature", "github_import"), Verdict.UPGRADE_REQUIRED),
    ],
)
async def test_a_verdict_follows_the_callers_derived_roles(
    signed_in: bool,
    staff: frozenset[str],
    pro: bool,
    permission: tuple[str, str],
    expected: Verdict,
) -> None:
    found, _ = caller(signed_in=signed_in, staff=staff, pro=pro)

    assert await found.verdict(*permission) is expected


async def test_the_pro_grant_is_read_only_when_pro_could_change_the_answer() -> None:
    # given a signed-in caller
    found, reads = caller()

    # when they ask for what every user may, what no plan grants, and what is public
    await found.verdict("payment", "read")
    await found.verdict("payment", "refund")
    await found.verdict("plan", "read")

    # then the grant was never read
    assert reads.reads == 0


async def test_the_pro_grant_is_read_once_however_many_fields_ask_at_once() -> None:
    found, reads = caller(pro=True)

    verdicts = await asyncio.gather(
        *(found.verdict("feature", "github_import") for _ in range(10)),
        found.roles(),
        found.permissions(),
    )

    assert verdicts[:10] == [Verdict.ALLOWED] * 10
    assert reads.reads == 1


async def test_a_verdict_that_needs_no_read_is_settled_without_awaiting() -> None:
    found, _ = caller()

    assert found.settled("payment", "read") is Verdict.ALLOWED
    assert found.settled("payment", "refund") is Verdict.FORBIDDEN
    assert found.settled("feature", "github_import") is None  # hangs on the grant


async def test_each_role_object_action_is_enforced_once_per_process() -> None:
    # given a fresh authorizer and many requests asking the same things
    authorizer = authorizer_of(POLICIES)
    staff = Principal(subject="staff-1", staff_roles=frozenset({"support"}))
    for _ in range(50):
        request = Caller(authorizer, staff, _no)
        for obj, act in [("payment", "read"), ("payment", "refund"), ("payment", "audit")] * 5:
            await request.verdict(obj, act)

    # then Casbin was asked once per role and permission: free alone grants payment:read;
    # support is asked only when free says no
    assert authorizer.enforcements == 5


async def test_effective_permissions_include_inherited_grants() -> None:
    authorizer = authorizer_of(POLICIES)

    free = {str(p) for p in authorizer.permissions(frozenset({"free"}))}
    pro = {str(p) for p in authorizer.permissions(frozenset({"free", "pro"}))}

    assert {"plan:read", "viewer:read", "payment:read"} <= free
    assert "feature:github_import" not in free
    assert pro - free == {"feature:github_import", "feature:priority_support"}


async def test_an_authorizer_remembers_a_decision_it_has_made() -> None:
    authorizer = authorizer_of(POLICIES)
    roles = frozenset({"free", "support"})

    decided = [authorizer.allows(roles, "payment", "read_any") for _ in range(100)]

    assert decided == [True] * 100
    assert authorizer.enforcements == 2  # free (no), then support (yes); never again
