"""`/v1/orders`, `/v1/payments` (and their refunds), `/v1/refunds`, `/v1/invoices`."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from razorpay_sandbox import refunding
from razorpay_sandbox.core import Core
from razorpay_sandbox.entities import orders, payments
from razorpay_sandbox.errors import not_found
from razorpay_sandbox.http import Call, Handler, endpoint, fetch
from razorpay_sandbox.pagination import collection, field_equals

Entity = dict[str, Any]
EXPAND = ("expand[]",)


def create_order(call: Call) -> Entity:
    return call.core.store.add(orders.new_order(call.body, call.core.now()))


def list_orders(call: Call) -> Entity:
    filters = {"receipt": field_equals("receipt"), "authorized": authorized_filter(call.core)}
    return collection(call.query, call.core.store.all("order"), filters=filters, extra=EXPAND)


def authorized_filter(core: Core) -> Any:
    def keep(order: Entity, value: str) -> bool:
        paid = any(
            p["order_id"] == order["id"] and p["captured"] for p in core.store.all("payment")
        )
        return paid == (value == "1")

    return keep


def order_payments(call: Call) -> Entity:
    order = call.entity("order")
    found = [p for p in call.core.store.all("payment") if p["order_id"] == order["id"]]
    return collection(call.query, [expanded(call, p) for p in found], extra=EXPAND)


def fetch_payment(call: Call) -> Entity:
    return expanded(call, call.entity("payment"))


def expanded(call: Call, payment: Entity) -> Entity:
    wanted = call.query.getlist("expand[]")
    result = dict(payment)
    if "card" in wanted and payment["card_id"]:
        result["card"] = payments.card(payment)
    if "refunds" in wanted:
        result["refunds"] = refunds_of(call.core, payment["id"], call)
    return result


def list_payments(call: Call) -> Entity:
    items = [expanded(call, p) for p in call.core.store.all("payment")]
    return collection(call.query, items, extra=EXPAND)


def payment_card(call: Call) -> Entity:
    payment = call.entity("payment")
    if not payment["card_id"]:
        raise not_found()
    return payments.card(payment)


def create_refund(call: Call) -> Entity:
    key = call.headers.get("x-refund-idempotency")
    return refunding.refund_request(call.core, call.entity("payment"), call.body, key)


def refunds_of(core: Core, payment_id: str, call: Call) -> Entity:
    found = [r for r in core.store.all("refund") if r["payment_id"] == payment_id]
    return collection(call.query, found, extra=EXPAND)


def payment_refunds(call: Call) -> Entity:
    return refunds_of(call.core, call.entity("payment")["id"], call)


def payment_refund(call: Call) -> Entity:
    refund = call.entity("refund", "refund_id")
    if refund["payment_id"] != call.path["id"]:
        raise not_found()
    return refund


def list_refunds(call: Call) -> Entity:
    return collection(call.query, call.core.store.all("refund"))


def list_invoices(call: Call) -> Entity:
    names = ("subscription_id", "payment_id", "customer_id", "receipt", "type")
    filters = {name: field_equals(name) for name in names}
    return collection(call.query, call.core.store.all("invoice"), filters=filters)


def routes(core: Core) -> list[Route]:
    def route(path: str, handler: Handler, method: str) -> Route:
        return Route(path, endpoint(core, handler), methods=[method])

    return [
        route("/v1/orders", create_order, "POST"),
        route("/v1/orders", list_orders, "GET"),
        route("/v1/orders/{id}", fetch("order"), "GET"),
        route("/v1/orders/{id}/payments", order_payments, "GET"),
        route("/v1/payments", list_payments, "GET"),
        route("/v1/payments/{id}", fetch_payment, "GET"),
        route("/v1/payments/{id}/card", payment_card, "GET"),
        route("/v1/payments/{id}/refund", create_refund, "POST"),
        route("/v1/payments/{id}/refunds", payment_refunds, "GET"),
        route("/v1/payments/{id}/refunds/{refund_id}", payment_refund, "GET"),
        route("/v1/refunds", list_refunds, "GET"),
        route("/v1/refunds/{id}", fetch("refund"), "GET"),
        route("/v1/invoices", list_invoices, "GET"),
        route("/v1/invoices/{id}", fetch("invoice"), "GET"),
    ]
