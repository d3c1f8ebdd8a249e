"""The Strawberry ASGI view, with the typed context built from the authenticated request.

Operations come only as `POST` with a JSON body (GET serves GraphiQL, in dev); the body is read
by `request_body`, and every refusal before execution is a GraphQL-shaped JSON error with a
stable `extensions.code`, never Strawberry's plain text or a 500.

A `POST` takes a short path of its own (body, context, execute, answer) instead of Strawberry's
`run`, which also serves websockets, batches, multipart uploads and streams, none of which this
view allows, and parses the content type through `email.message` on every request.
"""

from __future__ import annotations

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from api.graphql.context import Context
from api.graphql.execution import answers_unavailable
from api.graphql.request_body import BadRequestBody, RequestErrorCode, read_request
from api.web.auth import PrincipalUser

ALLOWED = frozenset({OperationType.QUERY, OperationType.MUTATION})
CODES = {
    400: RequestErrorCode.BAD_REQUEST,
    404: RequestErrorCode.NOT_FOUND,
    405: RequestErrorCode.METHOD_NOT_ALLOWED,
    415: RequestErrorCode.UNSUPPORTED_MEDIA_TYPE,
}


class GraphQLView(GraphQL[Context, None]):
    # The app sets it to GraphiQL's page that loads the service's own copies of its files.
    ide_page: str | None = None

    @property
    def graphql_ide_html(self) -> str:
        return super().graphql_ide_html if self.ide_page is None else self.ide_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            if request.method == "POST":
                response = await self.post(request)
            else:  # GraphiQL in dev; any operation is refused by parse_http_body
                response = await self.run(request)
        except HTTPException as error:
            response = refusal(error.status_code, error.reason)
        await response(scope, receive, send)

    async def post(self, request: Request) -> Response:
        data = body_request(request.headers.get("content-type"), await request.body())
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        try:
            result = await self.schema.execute(
                data.query,
                variable_values=data.variables,
                context_value=context,
                operation_name=data.operation_name,
                allowed_operation_types=ALLOWED,
                operation_extensions=data.extensions,
            )
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason("POST")) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error
        answer = await self.process_result(request, result)
        if answers_unavailable(result):  # so proxies, clients and probes see the outage
            sub_response.status_code = 503
        return self.create_response(response_data=answer, sub_response=sub_response)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method != "POST":
            raise HTTPException(405, "Send GraphQL operations with POST and a JSON body.")
        return body_request(request.content_type, await request.get_body())

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


def body_request(content_type: str | None, body: bytes) -> GraphQLRequestData:
    # A media type is case-insensitive and may carry parameters (`; charset=utf-8`).
    if (content_type or "").partition(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, "Send the request with `Content-Type: application/json`.")
    try:
        return read_request(body)
    except BadRequestBody as error:
        raise HTTPException(400, error.message) from error


def refusal(status: int, message: str) -> JSONResponse:
    """A request refused before execution, shaped like any GraphQL error."""
    code = CODES.get(status, RequestErrorCode.BAD_REQUEST)
    error = {"message": message, "extensions": {"code": code.value}}
    headers = {"Allow": "POST"} if status == 405 else None
    return JSONResponse({"data": None, "errors": [error]}, status_code=status, headers=headers)
