"""One request's caller and the verdicts on what it asks to do, each reached once per request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum

from api.authz.policy import Authorizer, Permission
from api.authz.roles import base_roles
from api.identity.tokens import Principal
from api.once import Once


class Verdict(Enum):
    ALLOWED = "allowed"
    UNAUTHENTICATED = "unauthenticated"  # anonymous, and anonymous may not
    UPGRADE_REQUIRED = "upgrade_required"  # signed in; a sold plan above theirs would be allowed
    FORBIDDEN = "forbidden"  # signed in; no plan the caller could buy would help


class Caller:
    """Decides with the roles that need no database read first; reads the user's plan (once, via
    `current_plan`, the code of their live grant or the default plan) only when some sold plan
    would turn a denial into an allowance. Grants-only policies make that sound: a role more can
    only allow more."""

    def __init__(
        self,
        authorizer: Authorizer,
        principal: Principal | None,
        current_plan: Callable[[], Awaitable[str]],
    ) -> None:
        self.authorizer = authorizer
        self.signed_in = principal is not None
        self._default = authorizer.plans[0]
        self._base = base_roles(principal, self._default)
        self._plan = Once(current_plan)
        self._verdicts: dict[tuple[str, str], Verdict] = {}

    def settled(self, obj: str, act: str) -> Verdict | None:
        """The verdict if it is known without a database read; None if it hangs on the plan."""
        found = self._verdicts.get((obj, act))
        if found is None:
            found = self._without_grant(obj, act)
            if found is not None:
                self._verdicts[(obj, act)] = found
        return found

    async def verdict(self, obj: str, act: str) -> Verdict:
        found = self.settled(obj, act)
        if found is None:
            found = self._with_plan(await self._plan.get(), obj, act)
            self._verdicts[(obj, act)] = found
        return found

    def _without_grant(self, obj: str, act: str) -> Verdict | None:
        if self.authorizer.allows(self._base, obj, act):
            return Verdict.ALLOWED
        if not self.signed_in:
            return Verdict.UNAUTHENTICATED
        if any(self._allows_with(plan, obj, act) for plan in self.authorizer.plans[1:]):
            return None
        return Verdict.FORBIDDEN

    def _with_plan(self, plan: str, obj: str, act: str) -> Verdict:
        plans = self.authorizer.plans
        if plan in plans and self._allows_with(plan, obj, act):
            return Verdict.ALLOWED
        above = plans[plans.index(plan) + 1 :] if plan in plans else plans[1:]
        if any(self._allows_with(p, obj, act) for p in above):
            return Verdict.UPGRADE_REQUIRED
        return Verdict.FORBIDDEN

    def _allows_with(self, plan: str, obj: str, act: str) -> bool:
        return self.authorizer.allows(self._base | {plan}, obj, act)

    async def plan(self) -> str:
        """The caller's plan code: the default plan's without a database read when signed out."""
        return await self._plan.get() if self.signed_in else self._default

    async def roles(self) -> frozenset[str]:
        if self.signed_in:
            return self._base | {await self._plan.get()}
        return self._base

    async def permissions(self) -> list[Permission]:
        return self.authorizer.permissions(await self.roles())
