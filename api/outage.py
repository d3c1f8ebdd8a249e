"""What counts as the database being unreachable, as opposed to a bug or a refused write.

pymongo raises the `ConnectionFailure` family (`ServerSelectionTimeoutError`, `AutoReconnect`,
`NetworkTimeout`, `WaitQueueTimeoutError`) when it cannot reach a server within
`DATABASE_TIMEOUT_SECONDS`. Each edge answers those as "unavailable, try again" (HTTP 503,
`SERVICE_UNAVAILABLE`) instead of as an unexpected error, so clients and Razorpay retry.
"""

from __future__ import annotations

from pymongo.errors import ConnectionFailure

from api.causes import caused_by

SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "The service cannot reach its database right now; try again shortly."


def is_database_outage(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from or while handling, is the database
    being unreachable."""
    return caused_by(error, ConnectionFailure)
