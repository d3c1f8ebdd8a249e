"""Test knob: the next calls to one REST endpoint fail as Razorpay's would, without acting.

A fault is armed for one method and `/v1/...` path (`POST /v1/subscriptions/sub_…/cancel`) and
answers the next `count` matching requests with Razorpay's error body, before the handler runs,
so nothing changes at the sandbox. Faults live in memory only, like the webhook knobs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.errors import BAD_REQUEST, SERVER, ApiError, invalid

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_COUNT = 1000
SERVER_TROUBLE = (
    "We are facing some trouble completing your request at the moment. Please try again shortly."
)
REFUSED = "The request was refused."


@dataclass(frozen=True)
class Fault:
    method: str
    path: str
    status: int
    description: str
    remaining: int

    def error(self) -> ApiError:
        code = SERVER if self.status >= 500 else BAD_REQUEST
        return ApiError(self.description, status=self.status, code=code)


class Faults:
    def __init__(self) -> None:
        self._armed: dict[tuple[str, str], Fault] = {}

    def arm(self, body: v.Body) -> None:
        """From a control body; `count: 0` disarms the endpoint's fault."""
        fault = _parse(body)
        self._armed.pop((fault.method, fault.path), None)
        if fault.remaining > 0:
            self._armed[(fault.method, fault.path)] = fault

    def take(self, method: str, path: str) -> ApiError | None:
        """The error to answer this request with, using up one of its fault's count."""
        fault = self._armed.pop((method, path), None)
        if fault is None:
            return None
        if fault.remaining > 1:
            self._armed[(method, path)] = Fault(
                fault.method, fault.path, fault.status, fault.description, fault.remaining - 1
            )
        return fault.error()

    def describe(self) -> list[dict[str, Any]]:
        return [asdict(fault) for fault in self._armed.values()]

    def clear(self) -> None:
        self._armed.clear()


def _parse(body: v.Body) -> Fault:
    v.only(body, ("method", "path", "status", "description", "count"))
    method = v.choice(body, "method", METHODS)
    path = str(v.required(body, "path"))
    if not path.startswith("/v1/"):
        raise invalid("The path must be a REST path, starting with /v1/.", "path")
    status = v.integer(body, "status", default=500, minimum=400) or 500
    if status > 599:
        raise invalid("The status must be an HTTP error status, 400 to 599.", "status")
    count = v.integer(body, "count", default=1) or 0
    if count > MAX_COUNT:
        raise invalid(f"The count may not be greater than {MAX_COUNT}.", "count")
    default = SERVER_TROUBLE if status >= 500 else REFUSED
    description = v.text(body, "description", max_length=500) or default
    return Fault(method, path, status, description, count)
