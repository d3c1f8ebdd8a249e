"""The typed per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from api.documents import User
from api.identity.tokens import Principal
from api.identity.users import user_for
from api.services import Services


@dataclass
class Context:
    request: Request
    response: Response
    services: Services
    principal: Principal | None
    _user: User | None = field(default=None, init=False)

    async def viewer(self) -> User | None:
        """The signed-in user's document, loaded (or created) at most once per request."""
        if self.principal is None:
            return None
        if self._user is None:
            self._user = await user_for(self.principal, self.services.clock)
        return self._user


Info = StrawberryInfo[Context, None]
