"""The typed per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from api.authz.caller import Caller
from api.billing.entitlements import (
    Access,
    access_for,
    beta_access,
    never_subscribed,
    with_grant,
)
from api.documents import User
from api.identity.tokens import Principal
from api.identity.users import user_for
from api.once import Once
from api.services import Services


@dataclass
class Context:
    request: Request
    response: Response
    services: Services
    principal: Principal | None
    caller: Caller = field(init=False)
    _known: Once[User | None] = field(init=False)
    _user: Once[User | None] = field(init=False)
    _access: Once[Access] = field(init=False)

    def __post_init__(self) -> None:
        self._known = Once(self._find_user)
        self._user = Once(self._load_user)
        self._access = Once(self._load_access)
        self.caller = Caller(self.services.authorizer, self.principal, self._current_plan)

    async def viewer(self) -> User | None:
        """The signed-in user's document, loaded (or created) at most once per request."""
        return await self._user.get()

    async def access(self) -> Access:
        """The viewer's plan and grant, read at most once per request, by guards and resolvers
        alike."""
        return await self._access.get()

    async def _find_user(self) -> User | None:
        # Read-only: guards decide with it, and a request they deny must not create its user.
        if self.principal is None:
            return None
        return await User.find_one(User.subject == self.principal.subject)

    async def _load_user(self) -> User | None:
        known = await self._known.get()
        if known is not None or self.principal is None:
            return known
        return await user_for(self.principal, self.services.clock)

    async def _load_access(self) -> Access:
        catalog = self.services.catalog
        if self.principal is not None and self.services.settings.beta_override:
            return beta_access(catalog)  # no read: in beta, what the user pays for is moot
        user = await self._known.get()
        if user is None or user.id is None:
            return never_subscribed(catalog)
        now = self.services.billing.now()
        paid = await access_for(user.id, now, catalog)
        return with_grant(paid, user.grant, now, catalog)

    async def _current_plan(self) -> str:
        return (await self.access()).plan


Info = StrawberryInfo[Context, None]
