"""The Strawberry ASGI view, with the typed context built from the authenticated request."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.graphql.context import Context
from api.web.auth import PrincipalUser


class GraphQLView(GraphQL[Context, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        assert isinstance(request, Request) and isinstance(response, Response)
        user = request.scope.get("user")
        principal = user.principal if isinstance(user, PrincipalUser) else None
        return Context(
            request=request,
            response=response,
            services=request.app.state.services,
            principal=principal,
        )
