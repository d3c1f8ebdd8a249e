"""One request's caller and the verdicts on what it asks to do, each reached once per request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum

from api.authz.policy import Authorizer, Permission
from api.authz.roles import PRO, base_roles
from api.identity.tokens import Principal
from api.once import Once


class Verdict(Enum):
    ALLOWED = "allowed"
    UNAUTHENTICATED = "unauthenticated"  # anonymous, and anonymous may not
    UPGRADE_REQUIRED = "upgrade_required"  # signed in; `pro` would be allowed and is not held
    FORBIDDEN = "forbidden"  # signed in; no role the caller could buy would help


class Caller:
    """Decides with the roles that need no database read first; reads the Pro grant (once, via
    `is_pro`) only when `pro` would turn a denial into an allowance. Grants-only policies make
    that sound: a role more can only allow more."""

    def __init__(
        self,
        authorizer: Authorizer,
        principal: Principal | None,
        is_pro: Callable[[], Awaitable[bool]],
    ) -> None:
        self.authorizer = authorizer
        self.signed_in = principal is not None
        self._base = base_roles(principal)
        self._pro = Once(is_pro)
        self._verdicts: dict[tuple[str, str], Verdict] = {}

    def settled(self, obj: str, act: str) -> Verdict | None:
        """The verdict if it is known without a database read; None if it hangs on the grant."""
        found = self._verdicts.get((obj, act))
        if found is None:
            found = self._without_grant(obj, act)
            if found is not None:
                self._verdicts[(obj, act)] = found
        return found

    async def verdict(self, obj: str, act: str) -> Verdict:
        found = self.settled(obj, act)
        if found is None:
            pro = await self._pro.get()
            found = Verdict.ALLOWED if pro else Verdict.UPGRADE_REQUIRED
            self._verdicts[(obj, act)] = found
        return found

    def _without_grant(self, obj: str, act: str) -> Verdict | None:
        if self.authorizer.allows(self._base, obj, act):
            return Verdict.ALLOWED
        if not self.signed_in:
            return Verdict.UNAUTHENTICATED
        if PRO not in self._base and self.authorizer.allows(self._base | {PRO}, obj, act):
            return None
        return Verdict.FORBIDDEN

    async def roles(self) -> frozenset[str]:
        if self.signed_in and await self._pro.get():
            return self._base | {PRO}
        return self._base

    async def permissions(self) -> list[Permission]:
        return self.authorizer.permissions(await self.roles())
