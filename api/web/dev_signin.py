"""`POST /dev/token` (development only): a token for whoever the developer names, so the web
app's sign-in page can act as a free user, support or admin. Production has no such route: the
app is given its bearer token by the product it is embedded in.

Body: `{"subject": "user-1", "email": "user-1@example.com", "roles": ["support"]}`; answer:
`{"token": "..."}`, signed as `python -m api token` signs (the same verifier)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.clock import SystemClock
from api.identity.claims import MAX_EMAIL, MAX_SUBJECT, STAFF_ROLES
from api.services import Services

DEV_TOKEN_TTL = timedelta(hours=8)


async def dev_token(request: Request) -> JSONResponse:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return _refused("The body must be JSON.")
    problem = _problem(body)
    if problem is not None:
        return _refused(problem)
    services: Services = request.app.state.services
    token = services.verifier.issue(
        subject=body["subject"],
        email=body.get("email") or None,
        roles=frozenset(body.get("roles") or ()),
        now=SystemClock().now(),  # tokens are checked against the real time, not the sandbox's
        ttl=min(DEV_TOKEN_TTL, services.verifier.max_lifetime),
    )
    return JSONResponse({"token": token}, headers={"Cache-Control": "no-store"})


def _problem(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    subject, email, roles = body.get("subject"), body.get("email"), body.get("roles") or []
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT:
        return f"`subject` must be a string of 1 to {MAX_SUBJECT} characters."
    if email is not None and (not isinstance(email, str) or len(email) > MAX_EMAIL):
        return f"`email` must be a string of at most {MAX_EMAIL} characters."
    if not isinstance(roles, list) or not set(roles) <= STAFF_ROLES:
        return f"`roles` must be a list of: {', '.join(sorted(STAFF_ROLES))}."
    return None


def _refused(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)
