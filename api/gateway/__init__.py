"""The Razorpay adapter: the only package in the project that imports the `razorpay` SDK."""

from api.gateway.breaker import BreakerState
from api.gateway.client import PlanPeriod, RazorpayGateway, RefundSpeed
from api.gateway.coerce import MalformedEntity
from api.gateway.config import GatewaySettings
from api.gateway.entities import (
    RazorpayCustomer,
    RazorpayInvoice,
    RazorpayPayment,
    RazorpayPlan,
    RazorpayRefund,
    RazorpaySubscription,
    parse_customer,
    parse_invoice,
    parse_payment,
    parse_plan,
    parse_refund,
    parse_subscription,
)
from api.gateway.errors import (
    AlreadyFullyRefunded,
    GatewayAuthenticationFailed,
    GatewayCallError,
    GatewayCircuitOpen,
    GatewayInvalidResponse,
    GatewayMalformedEntity,
    GatewayNotFound,
    GatewayRejected,
    GatewayTimeout,
    GatewayUnavailable,
    IdempotencyKeyReused,
    RefundExceedsCaptured,
)
from api.gateway.signatures import verify_subscription_checkout, verify_webhook

__all__ = [
    "AlreadyFullyRefunded",
    "BreakerState",
    "GatewayAuthenticationFailed",
    "GatewayCallError",
    "GatewayCircuitOpen",
    "GatewayInvalidResponse",
    "GatewayMalformedEntity",
    "GatewayNotFound",
    "GatewayRejected",
    "GatewaySettings",
    "GatewayTimeout",
    "GatewayUnavailable",
    "IdempotencyKeyReused",
    "MalformedEntity",
    "PlanPeriod",
    "RazorpayCustomer",
    "RazorpayGateway",
    "RazorpayInvoice",
    "RazorpayPayment",
    "RazorpayPlan",
    "RazorpayRefund",
    "RazorpaySubscription",
    "RefundExceedsCaptured",
    "RefundSpeed",
    "parse_customer",
    "parse_invoice",
    "parse_payment",
    "parse_plan",
    "parse_refund",
    "parse_subscription",
    "verify_subscription_checkout",
    "verify_webhook",
]
