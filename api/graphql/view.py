"""The Strawberry ASGI view, with the typed context built from the authenticated request.

Operations come only as `POST` with a JSON body (GET serves GraphiQL, in dev); the body is read
by `request_body`, and every refusal before execution is a GraphQL-shaped JSON error with a
stable `extensions.code`, never Strawberry's plain text or a 500.
"""

from __future__ import annotations

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type

from api.graphql.context import Context
from api.graphql.request_body import BadRequestBody, RequestErrorCode, read_request
from api.web.auth import PrincipalUser

CODES = {
    400: RequestErrorCode.BAD_REQUEST,
    404: RequestErrorCode.NOT_FOUND,
    405: RequestErrorCode.METHOD_NOT_ALLOWED,
    415: RequestErrorCode.UNSUPPORTED_MEDIA_TYPE,
}


class GraphQLView(GraphQL[Context, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as error:
            response = refusal(error.status_code, error.reason)
        await response(scope, receive, send)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method != "POST":
            raise HTTPException(405, "Send GraphQL operations with POST and a JSON body.")
        content_type, _ = parse_content_type(request.content_type or "")
        if content_type != "application/json":
            raise HTTPException(415, "Send the request with `Content-Type: application/json`.")
        try:
            return read_request(await request.get_body())
        except BadRequestBody as error:
            raise HTTPException(400, error.message) from error

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


def refusal(status: int, message: str) -> JSONResponse:
    """A request refused before execution, shaped like any GraphQL error."""
    code = CODES.get(status, RequestErrorCode.BAD_REQUEST)
    error = {"message": message, "extensions": {"code": code.value}}
    headers = {"Allow": "POST"} if status == 405 else None
    return JSONResponse({"data": None, "errors": [error]}, status_code=status, headers=headers)
