"""Public Checkout look-alike (no auth, like checkout.razorpay.com): `checkout.js`, a demo page,
and the endpoint the modal posts to with the key id."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from razorpay_sandbox import checkout
from razorpay_sandbox import validation as v
from razorpay_sandbox.checkout_assets import CHECKOUT_JS, DEMO_PAGE
from razorpay_sandbox.core import Core
from razorpay_sandbox.errors import unauthorized
from razorpay_sandbox.http import BAD_KEY, Call, endpoint

Entity = dict[str, Any]


def public_pay(call: Call) -> Entity:
    key = str(v.required(call.body, "key"))
    if not secrets.compare_digest(key.encode(), call.core.config.credentials.key_id.encode()):
        raise unauthorized(BAD_KEY)
    return checkout.pay(call.core, call.body, extra=("key",))


async def script(request: Request) -> Response:
    return Response(CHECKOUT_JS, media_type="application/javascript")


async def page(request: Request) -> Response:
    return HTMLResponse(DEMO_PAGE)


def routes(core: Core) -> list[Route]:
    return [
        Route("/v1/checkout.js", script, methods=["GET"]),
        Route("/checkout.js", script, methods=["GET"]),
        Route("/checkout", page, methods=["GET"]),
        Route("/checkout/pay", endpoint(core, public_pay, auth=False), methods=["POST"]),
    ]
