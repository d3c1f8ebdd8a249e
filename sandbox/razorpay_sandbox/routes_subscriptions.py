"""`/v1/plans`, `/v1/customers`, `/v1/subscriptions`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from starlette.routing import Route

from razorpay_sandbox import actions, lifecycle
from razorpay_sandbox import validation as v
from razorpay_sandbox.core import Core
from razorpay_sandbox.entities import customers, plans, subscriptions
from razorpay_sandbox.errors import ApiError
from razorpay_sandbox.http import Call, Handler, endpoint, fetch
from razorpay_sandbox.pagination import collection, field_equals

Entity = dict[str, Any]
Action = Callable[[Core, Entity, v.Body], Entity]
CUSTOMER_EXISTS = "Customer already exists for the merchant"


def create_plan(call: Call) -> Entity:
    return call.core.store.add(plans.new_plan(call.body, call.core.now()))


def list_plans(call: Call) -> Entity:
    return collection(call.query, call.core.store.all("plan"))


def create_customer(call: Call) -> Entity:
    created = customers.new_customer(call.body, call.core.now())
    for existing in call.core.store.all("customer"):
        if customers.same_person(existing, created["email"], created["contact"]):
            if v.flag(call.body, "fail_existing", default=True):
                raise ApiError(CUSTOMER_EXISTS)
            return existing
    return call.core.store.add(created)


def edit_customer(call: Call) -> Entity:
    customer = call.entity("customer")
    edited = customers.edit(customer, call.body)
    for other in call.core.store.all("customer"):
        if other["id"] != customer["id"] and customers.same_person(
            other, edited["email"], edited["contact"]
        ):
            raise ApiError(CUSTOMER_EXISTS)
    customer.update(edited)
    call.core.store.changed()
    return customer


def list_customers(call: Call) -> Entity:
    return collection(call.query, call.core.store.all("customer"))


def create_subscription(call: Call) -> Entity:
    body, core = call.body, call.core
    plan = core.store.get("plan", str(v.required(body, "plan_id")))
    created = subscriptions.new_subscription(body, plan, core.now())
    addons = subscriptions.addon_items(body)
    core.store.add(created)
    core.store.book(created["id"]).addons = addons
    return created


def list_subscriptions(call: Call) -> Entity:
    filters = {"plan_id": field_equals("plan_id")}
    return collection(call.query, call.core.store.all("subscription"), filters=filters)


def subscription_action(action: Action) -> Handler:
    def handle(call: Call) -> Entity:
        return action(call.core, call.entity("subscription"), call.body)

    return handle


def scheduled_changes(call: Call) -> Entity:
    subscription = call.entity("subscription")
    ledger = call.core.store.book(subscription["id"])
    if ledger.scheduled is None:
        raise ApiError("Subscription does not have any scheduled changes.")
    # A preview: copies of the entity and its ledger take the change, the originals do not.
    preview = dict(subscription)
    lifecycle.apply_changes(call.core, preview, replace(ledger), ledger.scheduled)
    return preview


def cancel_scheduled_changes(call: Call) -> Entity:
    subscription = call.entity("subscription")
    ledger = call.core.store.book(subscription["id"])
    if ledger.scheduled is None:
        raise ApiError("Subscription does not have any scheduled changes.")
    ledger.scheduled = None
    subscription.update(has_scheduled_changes=False, change_scheduled_at=None)
    call.core.store.changed()
    return subscription


def routes(core: Core) -> list[Route]:
    def route(path: str, handler: Handler, method: str) -> Route:
        return Route(path, endpoint(core, handler), methods=[method])

    return [
        route("/v1/plans", create_plan, "POST"),
        route("/v1/plans", list_plans, "GET"),
        route("/v1/plans/{id}", fetch("plan"), "GET"),
        route("/v1/customers", create_customer, "POST"),
        route("/v1/customers", list_customers, "GET"),
        route("/v1/customers/{id}", fetch("customer"), "GET"),
        route("/v1/customers/{id}", edit_customer, "PUT"),
        route("/v1/subscriptions", create_subscription, "POST"),
        route("/v1/subscriptions", list_subscriptions, "GET"),
        route("/v1/subscriptions/{id}", fetch("subscription"), "GET"),
        route("/v1/subscriptions/{id}", subscription_action(actions.update), "PATCH"),
        route("/v1/subscriptions/{id}/cancel", subscription_action(actions.cancel_request), "POST"),
        route("/v1/subscriptions/{id}/pause", subscription_action(actions.pause), "POST"),
        route("/v1/subscriptions/{id}/resume", subscription_action(actions.resume), "POST"),
        route("/v1/subscriptions/{id}/retrieve_scheduled_changes", scheduled_changes, "GET"),
        route("/v1/subscriptions/{id}/cancel_scheduled_changes", cancel_scheduled_changes, "POST"),
    ]
