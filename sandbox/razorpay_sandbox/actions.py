"""Merchant actions on a subscription: cancel, pause, resume, update (PATCH), and the
test-mode controls (next charge's outcome, charge an unpaid invoice now)."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox import proration
from razorpay_sandbox import validation as v
from razorpay_sandbox.charging import Outcome
from razorpay_sandbox.core import Core
from razorpay_sandbox.cycles import book, charge_invoice, refresh_end_at
from razorpay_sandbox.errors import ApiError, not_found
from razorpay_sandbox.lifecycle import Happening, apply_changes, cancel, charged, happening

Entity = dict[str, Any]
FINAL = ("cancelled", "completed", "expired")
UPDATABLE = ("authenticated", "active")
NOT_UPDATABLE = (
    "Can't update Subscription when Subscription is not in Authenticated or Active state"
)
# Razorpay's wording for UPI (FACTS §1); the eMandate one follows it. Recurring netbanking is
# an eMandate.
FROZEN_MODES = {"upi": "UPI", "emandate": "eMandate", "netbanking": "eMandate"}
DOMESTIC_CARD = "Only the offer can be changed for domestic card subscriptions, at cycle end."
UPDATE_FIELDS = ("plan_id", "offer_id", "quantity", "remaining_count", "start_at")


def cancel_request(core: Core, subscription: Entity, body: v.Body) -> Entity:
    v.only(body, ("cancel_at_cycle_end",))
    status = subscription["status"]
    if status in FINAL:
        raise ApiError(f"Subscription is not cancellable in {status} status.", field="status")
    at_cycle_end = v.flag(body, "cancel_at_cycle_end", default=False)
    if at_cycle_end and subscription["current_end"] is not None and status != "paused":
        # Razorpay shows no marker for this (FACTS §3): the status stays as it is until then.
        book(core, subscription).cancel_at_cycle_end = True
        core.store.changed()
        return subscription
    cancel(core, subscription)
    return subscription


def pause(core: Core, subscription: Entity, body: v.Body) -> Entity:
    v.only(body, ("pause_at",))
    v.choice(body, "pause_at", ("now",), default="now")
    status = subscription["status"]
    if status == "authenticated":
        # Razorpay cancels, rather than pauses, a subscription that has not started yet.
        cancel(core, subscription)
        return subscription
    if status != "active":
        raise ApiError(f"Subscription cannot be paused in {status} status.", field="status")
    subscription.update(
        status="paused", charge_at=None, paused_at=core.now(), pause_initiated_by="self"
    )
    core.emit("subscription.paused", subscription)
    return subscription


def resume(core: Core, subscription: Entity, body: v.Body) -> Entity:
    v.only(body, ("resume_at",))
    v.choice(body, "resume_at", ("now",), default="now")
    if subscription["status"] != "paused":
        status = subscription["status"]
        raise ApiError(f"Subscription cannot be resumed in {status} status.", field="status")
    now = core.now()
    if subscription["current_end"] <= now:
        # The paused cycle is over: billing restarts from today, and so does the schedule.
        ledger = book(core, subscription)
        ledger.anchor, ledger.cycle = now, -1
        refresh_end_at(core, subscription, ledger)
    subscription.update(status="active", paused_at=None, pause_initiated_by=None)
    subscription["charge_at"] = max(subscription["current_end"], now)
    core.emit("subscription.resumed", subscription)
    return subscription


def update(core: Core, subscription: Entity, body: v.Body) -> Entity:
    v.only(body, (*UPDATE_FIELDS, "schedule_change_at", "customer_notify"))
    check_updatable(core, subscription, body)
    changes = update_changes(core, body)
    when = v.choice(body, "schedule_change_at", ("now", "cycle_end"), default="now")
    if when == "cycle_end":
        book(core, subscription).scheduled = changes
        subscription.update(
            has_scheduled_changes=True, change_scheduled_at=subscription["current_end"]
        )
        core.store.changed()
        return subscription
    # The prorated difference is settled first: a failed charge leaves the subscription as it was.
    proration.settle(core, subscription, proration.difference(core, subscription, changes))
    apply_changes(core, subscription, book(core, subscription), changes)
    core.emit("subscription.updated", subscription)
    return subscription


def check_updatable(core: Core, subscription: Entity, body: v.Body) -> None:
    """FACTS §2.3: only authenticated/active; never UPI or eMandate; a domestic card may only
    change its offer, at cycle end. International cards (and other methods) may change anything."""
    if subscription["status"] not in UPDATABLE:
        raise ApiError(NOT_UPDATABLE, field="status")
    mode = FROZEN_MODES.get(subscription["payment_method"])
    if mode is not None:
        raise ApiError(f"subscriptions cannot be updated when payment mode is {mode}")
    domestic_card = (
        subscription["payment_method"] == "card" and not book(core, subscription).international
    )
    if domestic_card and not offer_at_cycle_end(body):
        raise ApiError(DOMESTIC_CARD)


def offer_at_cycle_end(body: v.Body) -> bool:
    changes = set(body) - {"schedule_change_at", "customer_notify"}
    return changes == {"offer_id"} and body.get("schedule_change_at") == "cycle_end"


def update_changes(core: Core, body: v.Body) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "plan_id" in body:
        changes["plan_id"] = core.store.get("plan", str(body["plan_id"]))["id"]
    if "offer_id" in body:
        # The sandbox has no offers, so every offer id is unknown.
        raise not_found()
    for name in ("quantity", "remaining_count"):
        value = v.integer(body, name, minimum=1)
        if value is not None:
            changes[name] = value
    return changes


def set_next_charge(core: Core, subscription: Entity, body: v.Body) -> Entity:
    v.only(body, ("outcome", "reason", "count"))
    outcome = Outcome.parse(body)
    count = v.integer(body, "count", default=1, minimum=1) or 1
    book(core, subscription).outcomes = [outcome.as_list() for _ in range(count)]
    core.store.changed()
    return {"subscription_id": subscription["id"], "next_charges": [outcome.as_list()] * count}


def charge_now(core: Core, subscription: Entity, body: v.Body) -> Happening:
    """Dashboard's "Attempt Charge" on the unpaid invoice: does not use up a retry."""
    v.only(body, ("outcome", "reason"))
    if subscription["status"] not in ("pending", "halted"):
        raise ApiError("Only a pending or halted subscription has an unpaid invoice to charge.")
    payment = charge_invoice(core, subscription, Outcome.parse(body))
    if payment["status"] != "captured":
        return happening(core, subscription, "manual charge failed", payment)
    return happening(core, subscription, charged(core, subscription, payment), payment)
