"""Payment (`pay_…`): created → authorized → captured → (refunded), or failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from razorpay_sandbox.errors import BAD_REQUEST, GATEWAY
from razorpay_sandbox.ids import new_id

Entity = dict[str, Any]
RECURRING = "Recurring Payment via Subscription"
METHODS = ("card", "upi", "netbanking", "wallet", "emandate")


@dataclass(frozen=True)
class Failure:
    code: str
    description: str
    source: str
    reason: str


# Razorpay's test-card failure reasons (FACTS §6), with the wording Checkout shows for them.
FAILURES = {
    "card_declined": Failure(
        BAD_REQUEST, "Your payment has been declined by your bank.", "bank", ""
    ),
    "insufficient_fund": Failure(
        BAD_REQUEST, "Your payment could not be completed due to insufficient funds.", "bank", ""
    ),
    "payment_timed_out": Failure(BAD_REQUEST, "Payment was not completed on time.", "customer", ""),
    "payment_cancelled": Failure(
        BAD_REQUEST, "Payment processing cancelled by user", "customer", ""
    ),
    "card_number_invalid": Failure(
        BAD_REQUEST, "Your payment has failed due to invalid card number.", "customer", ""
    ),
    "authentication_failed": Failure(
        GATEWAY, "Payment failed because cardholder couldn't be authenticated.", "customer", ""
    ),
    "gateway_technical_error": Failure(
        GATEWAY, "Payment processing failed due to error at bank or wallet gateway", "gateway", ""
    ),
}


def failure(reason: str) -> Failure:
    known = FAILURES.get(reason)
    if known is None:
        return Failure(BAD_REQUEST, "Payment failed", "bank", reason)
    return Failure(known.code, known.description, known.source, reason)


@dataclass(frozen=True)
class Payer:
    email: str = "void@razorpay.com"
    contact: str = "+919000090000"
    method: str = "card"
    customer_id: str | None = None
    international: bool = False


def new_payment(
    *, amount: int, currency: str, payer: Payer, now: int, description: str | None
) -> Entity:
    return {
        "id": new_id("pay"),
        "entity": "payment",
        "amount": amount,
        "currency": currency,
        "status": "created",
        "order_id": None,
        "invoice_id": None,
        "international": payer.international,
        "method": payer.method,
        "amount_refunded": 0,
        "amount_transferred": 0,
        "refund_status": None,
        "captured": False,
        "description": description,
        **payer_fields(payer),
        "notes": [],
        "fee": None,
        "tax": None,
        **error_fields(None),
        "acquirer_data": {},
        "created_at": now,
    }


def payer_fields(payer: Payer) -> Entity:
    return {
        "card_id": new_id("card") if payer.method == "card" else None,
        "bank": "HDFC" if payer.method in ("netbanking", "emandate") else None,
        "wallet": None,
        "vpa": "success@razorpay" if payer.method == "upi" else None,
        "email": payer.email,
        "contact": payer.contact,
        "customer_id": payer.customer_id,
        "token_id": None,
    }


def error_fields(failed: Failure | None) -> Entity:
    if failed is None:
        return dict.fromkeys(
            ("error_code", "error_description", "error_source", "error_step", "error_reason")
        )
    return {
        "error_code": failed.code,
        "error_description": failed.description,
        "error_source": failed.source,
        "error_step": "payment_authorization",
        "error_reason": failed.reason,
    }


def authorize(payment: Entity) -> None:
    payment["status"] = "authorized"
    payment["acquirer_data"] = {"auth_code": "123456"}


def capture(payment: Entity) -> None:
    fee = payment["amount"] * 2 // 100
    tax = fee * 18 // 118
    payment.update(status="captured", captured=True, fee=fee, tax=tax)


def fail(payment: Entity, failed: Failure) -> None:
    payment.update(status="failed", **error_fields(failed))


def card(payment: Entity) -> Entity:
    # Razorpay's subscription test cards (FACTS §6): Visa …4366 domestic, MasterCard …5558 not.
    international = bool(payment["international"])
    return {
        "id": payment["card_id"],
        "entity": "card",
        "name": "Sandbox Customer",
        "last4": "5558" if international else "4366",
        "network": "MasterCard" if international else "Visa",
        "type": "credit",
        "issuer": None if international else "HDFC",
        "international": international,
        "emi": False,
        "sub_type": "consumer",
    }


def record_refund(payment: Entity, amount: int) -> None:
    payment["amount_refunded"] += amount
    full = payment["amount_refunded"] >= payment["amount"]
    payment["refund_status"] = "full" if full else "partial"
    if full:
        payment["status"] = "refunded"


def undo_refund(payment: Entity, amount: int) -> None:
    """A refund that failed: its amount is the merchant's again."""
    payment["amount_refunded"] -= amount
    refunded = payment["amount_refunded"]
    payment["refund_status"] = None if refunded == 0 else "partial"
    if payment["status"] == "refunded":
        payment["status"] = "captured"


def refundable(payment: Entity) -> int:
    return int(payment["amount"]) - int(payment["amount_refunded"])
