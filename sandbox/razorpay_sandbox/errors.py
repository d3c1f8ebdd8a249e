"""Razorpay's error bodies (`{"error": {...}}`) and the exception that carries them."""

from __future__ import annotations

from typing import Any

BAD_REQUEST = "BAD_REQUEST_ERROR"
GATEWAY = "GATEWAY_ERROR"
SERVER = "SERVER_ERROR"

URL_NOT_FOUND = "The requested URL was not found on the server."
ID_NOT_FOUND = "The id provided does not exist"


class ApiError(Exception):
    """Raised anywhere in a request; the HTTP layer turns it into Razorpay's error response."""

    def __init__(
        self,
        description: str,
        *,
        status: int = 400,
        code: str = BAD_REQUEST,
        field: str | None = None,
        reason: str = "NA",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.code = code
        self.field = field
        self.reason = reason
        self.metadata = metadata or {}

    def body(self) -> dict[str, Any]:
        # Validation errors carry Razorpay's business/input_validation_failed triple; others "NA".
        validation = self.reason == "input_validation_failed"
        error: dict[str, Any] = {
            "code": self.code,
            "description": self.description,
            "source": "business" if validation else "NA",
            "step": "payment_initiation" if validation else "NA",
            "reason": self.reason,
            "metadata": self.metadata,
        }
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}


def invalid(description: str, field: str | None = None) -> ApiError:
    return ApiError(description, field=field, reason="input_validation_failed")


def not_found() -> ApiError:
    # Razorpay answers an unknown id with 400, not 404.
    return ApiError(ID_NOT_FOUND, reason="input_validation_failed")


def url_not_found() -> ApiError:
    return ApiError(URL_NOT_FOUND)


def unauthorized(description: str) -> ApiError:
    return ApiError(description, status=401)


def extra_fields(names: list[str]) -> ApiError:
    joined = ", ".join(names)
    return invalid(f"{joined} is/are not required and should not be sent", names[0])
