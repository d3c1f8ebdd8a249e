"""The HTTP edge: Basic auth, JSON in and out, Razorpay's error responses, and a commit of the
state after every request."""

from __future__ import annotations

import base64
import binascii
import inspect
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from razorpay_sandbox import scheduler
from razorpay_sandbox.core import Core
from razorpay_sandbox.errors import ApiError, invalid, unauthorized

NO_KEY = "Please provide your api key for authentication purposes."
BAD_KEY = "The api key provided is invalid"
BAD_SECRET = "The api secret provided is invalid"


@dataclass
class Call:
    core: Core
    path: dict[str, str]
    query: QueryParams
    body: dict[str, Any]
    headers: Headers

    def entity(self, kind: str, param: str = "id") -> dict[str, Any]:
        return self.core.store.get(kind, self.path[param])


Handler = Callable[[Call], Any]
Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(core: Core, handler: Handler, *, auth: bool = True) -> Endpoint:
    async def serve(request: Request) -> Response:
        try:
            if auth:
                authenticate(core, request.headers.get("authorization"))
                fail_if_armed(core, request)
            # Whatever fell due since the last request happens first, as it would at Razorpay.
            scheduler.catch_up(core)
            call = Call(core, dict(request.path_params), request.query_params, {}, request.headers)
            call.body = await read_body(request)
            result = handler(call)
            if inspect.isawaitable(result):
                result = await result
            return JSONResponse(result)
        except ApiError as error:
            return JSONResponse(error.body(), status_code=error.status)
        finally:
            core.commit()

    return serve


def fail_if_armed(core: Core, request: Request) -> None:
    """A test fault armed for this endpoint answers instead of it (see `faults`)."""
    path, mount = request.scope["path"], request.scope.get("root_path", "")
    if mount and path.startswith(mount):
        path = path[len(mount) :]
    error = core.faults.take(request.method, path)
    if error is not None:
        raise error


def fetch(kind: str) -> Handler:
    return lambda call: call.entity(kind)


def authenticate(core: Core, header: str | None) -> None:
    if not header:
        raise unauthorized(NO_KEY)
    scheme, _, token = header.partition(" ")
    # Razorpay accepts the scheme word only as exactly "Basic".
    if scheme != "Basic":
        raise unauthorized(NO_KEY)
    try:
        key_id, _, key_secret = base64.b64decode(token, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise unauthorized(BAD_KEY) from None
    credentials = core.config.credentials
    if not secrets.compare_digest(key_id.encode(), credentials.key_id.encode()):
        raise unauthorized(BAD_KEY)
    if not secrets.compare_digest(key_secret.encode(), credentials.key_secret.encode()):
        raise unauthorized(BAD_SECRET)


async def read_body(request: Request) -> dict[str, Any]:
    if request.method in ("GET", "HEAD"):
        return {}
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise invalid("The request body is not valid JSON.") from None
    if body == []:
        return {}
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body
