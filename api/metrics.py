"""What the service counts for Prometheus: one function per thing that happened.

The domain, the gateway and the edges call these few functions; only this module (and the
`/metrics` route) know the metrics library. Every label value is bounded by the code: enum
values, schema field names, handler names, fixed words; never a caller's free text.

With several workers (`serve`, WEB_CONCURRENCY > 1) `serve` sets PROMETHEUS_MULTIPROC_DIR before
they start, and prometheus-client then keeps each worker's values in files there, which the
scrape adds up (`api/web/metrics_route.py`). Counts are of what this service saw: two racing
writers that both find a payment new may both count it (FerretDB has no atomic conditional
update), which a metric can live with and the records themselves never do.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from prometheus_client import Counter, Gauge, Histogram

# Seconds: a GraphQL operation or a gateway call takes milliseconds to the 10 s timeout.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Seconds from a payment's creation at Razorpay to access: checkout takes a minute or so; a
# webhook redelivered later can take hours.
PAYMENT_TO_ACCESS_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 900, 3600, 6 * 3600, 24 * 3600)
# Razorpay's payment error codes (its SDK's constants/error_code.py); others count as "other".
RAZORPAY_ERROR_CODES = frozenset({"BAD_REQUEST_ERROR", "GATEWAY_ERROR", "SERVER_ERROR"})
OTHER = "other"

GRAPHQL_OPERATIONS = Counter(
    "billing_graphql_operations",
    "GraphQL operations by root field and outcome (ok, or the first error's code).",
    ["operation", "outcome"],
)
GRAPHQL_SECONDS = Histogram(
    "billing_graphql_operation_seconds",
    "Time to run a GraphQL operation (parse, validate, execute).",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
WEBHOOKS = Counter(
    "billing_webhooks",
    "Razorpay webhook deliveries by event and outcome.",
    ["event", "outcome"],
)
WEBHOOK_SECONDS = Histogram(
    "billing_webhook_seconds",
    "Time to handle a verified webhook delivery.",
    ["event"],
    buckets=LATENCY_BUCKETS,
)
WEBHOOKS_APPLIED = Counter(
    "billing_webhooks_applied",
    "Acknowledged webhook events applied in the background, by event and outcome.",
    ["event", "outcome"],
)
WEBHOOK_BACKLOG = Gauge(
    "billing_webhook_backlog",
    "Webhook events acknowledged and queued in this process, not applied yet.",
)
GATEWAY_CALLS = Counter(
    "billing_gateway_calls",
    "Calls to Razorpay by operation and outcome (ok, or the gateway error's code).",
    ["operation", "outcome"],
)
GATEWAY_SECONDS = Histogram(
    "billing_gateway_call_seconds",
    "Time of a call to Razorpay, retries included.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
BREAKER = Gauge(
    "billing_gateway_breaker_state",
    "1 for the circuit breaker's state in some live worker, else 0.",
    ["state"],
    multiprocess_mode="livemax",
)
PAYMENTS = Counter(
    "billing_payments",
    "Payments recorded, by status (captured, failed) and failure reason.",
    ["status", "reason"],
)
REFUNDS = Counter(
    "billing_refunds",
    "Refunds recorded, and refunds reaching a final status, by status.",
    ["status"],
)
ACCESS_CHANGES = Counter(
    "billing_access_changes",
    "Changes of a subscription's access: granted (from none), ended, extended, shortened.",
    ["change"],
)
PAYMENT_TO_ACCESS = Histogram(
    "billing_payment_to_access_seconds",
    "From a payment's creation at Razorpay to the moment it granted access.",
    buckets=PAYMENT_TO_ACCESS_BUCKETS,
)
FUNNEL_EVENTS = Counter(
    "billing_funnel_events",
    "Steps of the upgrade funnel the web app reported, by event and catalog plan or pack.",
    ["event", "plan", "pack"],
)
RATE_LIMITED = Counter(
    "billing_rate_limited",
    "Calls refused by a rate-limit budget.",
    ["budget"],
)


class AccessChange(Enum):
    GRANTED = "granted"
    ENDED = "ended"
    EXTENDED = "extended"
    SHORTENED = "shortened"


# Every request counts one operation: the labelled children are looked up once per label set
# (prometheus-client's `labels` locks and builds a key each call, ~3 µs). Labels are root-field
# names and outcomes, so the memo is bounded by the schema.
_operations: dict[tuple[str, str], Counter] = {}
_operation_seconds: dict[str, Histogram] = {}


def graphql_operation(operation: str, outcome: str, seconds: float) -> None:
    counter = _operations.get((operation, outcome))
    if counter is None:
        counter = _operations[(operation, outcome)] = GRAPHQL_OPERATIONS.labels(operation, outcome)
    counter.inc()
    histogram = _operation_seconds.get(operation)
    if histogram is None:
        histogram = _operation_seconds[operation] = GRAPHQL_SECONDS.labels(operation)
    histogram.observe(seconds)


def webhook(event: str, outcome: str, seconds: float | None = None) -> None:
    WEBHOOKS.labels(event, outcome).inc()
    if seconds is not None:
        WEBHOOK_SECONDS.labels(event).observe(seconds)


def webhook_applied(event: str, outcome: str) -> None:
    WEBHOOKS_APPLIED.labels(event, outcome).inc()


def webhook_backlog(events: int) -> None:
    WEBHOOK_BACKLOG.set(events)


def gateway_call(operation: str, outcome: str, seconds: float) -> None:
    GATEWAY_CALLS.labels(operation, outcome).inc()
    GATEWAY_SECONDS.labels(operation).observe(seconds)


def breaker_state(current: str, states: list[str]) -> None:
    for state in states:
        BREAKER.labels(state).set(1 if state == current else 0)


def payment(status: str, error_code: str | None) -> None:
    PAYMENTS.labels(status, _reason(error_code)).inc()


def refund(status: str) -> None:
    REFUNDS.labels(status).inc()


def access_changed(
    before: datetime | None, after: datetime | None, now: datetime
) -> AccessChange | None:
    """Counts the change from access until `before` to until `after`; returns what it was."""
    had, has = before is not None and before > now, after is not None and after > now
    change = _access_change(had, has, before, after)
    if change is not None:
        ACCESS_CHANGES.labels(change.value).inc()
    return change


def payment_to_access(paid_at: datetime, granted_at: datetime) -> None:
    PAYMENT_TO_ACCESS.observe(max(0.0, (granted_at - paid_at).total_seconds()))


def funnel_event(event: str, plan: str, pack: str) -> None:
    """`plan` and `pack` are catalog codes or "none" (api/funnel.py checks them)."""
    FUNNEL_EVENTS.labels(event, plan, pack).inc()


def rate_limited(budget: str) -> None:
    RATE_LIMITED.labels(budget).inc()


def _access_change(
    had: bool, has: bool, before: datetime | None, after: datetime | None
) -> AccessChange | None:
    if has and not had:
        return AccessChange.GRANTED
    if had and not has:
        return AccessChange.ENDED
    if not (had and has) or before == after:
        return None
    assert before is not None and after is not None
    return AccessChange.EXTENDED if after > before else AccessChange.SHORTENED


def _reason(error_code: str | None) -> str:
    if error_code is None:
        return "none"
    return error_code if error_code in RAZORPAY_ERROR_CODES else OTHER
