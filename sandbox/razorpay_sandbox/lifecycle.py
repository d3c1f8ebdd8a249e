"""The subscription state machine as Razorpay runs it (FACTS §3): what happens when a charge
succeeds or fails, and what each status does when its due time arrives."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox.core import Core
from razorpay_sandbox.cycles import (
    book,
    charge_invoice,
    issue_invoice,
    next_outcome,
    plan_of,
    refresh_end_at,
    start_cycle,
)
from razorpay_sandbox.periods import DAY
from razorpay_sandbox.store import SubscriptionBook

Entity = dict[str, Any]
Happening = dict[str, Any]
MAX_CHARGE_ATTEMPTS = 4  # T, T+1, T+2, T+3, then halted
RETRY_STATUSES = ("pending",)


def happening(core: Core, subscription: Entity, what: str, payment: Entity | None) -> Happening:
    return {
        "at": core.now(),
        "subscription_id": subscription["id"],
        "what": what,
        "status": subscription["status"],
        "payment_id": payment and payment["id"],
        "payment_status": payment and payment["status"],
    }


def charged(core: Core, subscription: Entity, payment: Entity) -> str:
    previous = subscription["status"]
    subscription["paid_count"] += 1
    subscription.update(status="active", auth_attempts=0, charge_at=subscription["current_end"])
    if previous in ("created", "authenticated"):
        core.emit("subscription.activated", subscription, payment)
    core.emit("subscription.charged", subscription, payment)
    if previous in ("pending", "halted"):
        core.emit("subscription.activated", subscription, payment)
    if subscription["remaining_count"] == 0:
        complete(core, subscription, payment)
        return "completed"
    return {"active": "charged", "pending": "recovered", "halted": "recovered"}.get(
        previous, "activated"
    )


def failed(core: Core, subscription: Entity, payment: Entity) -> str:
    subscription["auth_attempts"] += 1
    attempts = subscription["auth_attempts"]
    if attempts >= MAX_CHARGE_ATTEMPTS:
        subscription.update(status="halted", charge_at=subscription["current_end"])
        core.emit("subscription.halted", subscription)
        return "halted"
    # Retries fall on T+1, T+2, T+3 after the cycle's charge time T.
    retry_at = subscription["current_start"] + attempts * DAY
    subscription.update(status="pending", charge_at=retry_at)
    core.emit("subscription.pending", subscription)
    return "charge failed"


def complete(core: Core, subscription: Entity, payment: Entity | None) -> None:
    subscription.update(status="completed", charge_at=None, ended_at=core.now())
    core.emit("subscription.completed", *([subscription, payment] if payment else [subscription]))


def cancel(core: Core, subscription: Entity) -> None:
    book(core, subscription).cancel_at_cycle_end = False
    subscription.update(status="cancelled", charge_at=None, ended_at=core.now())
    core.emit("subscription.cancelled", subscription)


def run_due(core: Core, subscription: Entity) -> Happening:
    """Do what the subscription's status does at its due time (see `scheduler.due_at`)."""
    status = subscription["status"]
    if status == "created":
        subscription.update(status="expired", charge_at=None, ended_at=core.now())
        return happening(core, subscription, "expired", None)
    if book(core, subscription).cancel_at_cycle_end and core.now() >= subscription["current_end"]:
        cancel(core, subscription)
        return happening(core, subscription, "cancelled at cycle end", None)
    if status == "pending":
        return charge_cycle(core, subscription, new_cycle=False)
    apply_scheduled(core, subscription)
    if status == "halted":
        return halted_cycle(core, subscription)
    return charge_cycle(core, subscription, new_cycle=True)


def charge_cycle(core: Core, subscription: Entity, *, new_cycle: bool) -> Happening:
    if new_cycle:
        start_cycle(core, subscription)
        issue_invoice(core, subscription, addons=False)
    payment = charge_invoice(core, subscription, next_outcome(core, subscription))
    if payment["status"] == "captured":
        return happening(core, subscription, charged(core, subscription, payment), payment)
    return happening(core, subscription, failed(core, subscription, payment), payment)


def halted_cycle(core: Core, subscription: Entity) -> Happening:
    # Halted subscriptions keep getting an invoice per cycle, but nothing is charged.
    if subscription["remaining_count"] == 0:
        complete(core, subscription, None)
        return happening(core, subscription, "completed", None)
    start_cycle(core, subscription)
    issue_invoice(core, subscription, addons=False)
    subscription["charge_at"] = subscription["current_end"]
    return happening(core, subscription, "invoice issued (halted, not charged)", None)


def apply_scheduled(core: Core, subscription: Entity) -> None:
    ledger = book(core, subscription)
    if ledger.scheduled is None:
        return
    apply_changes(core, subscription, ledger, ledger.scheduled)
    ledger.scheduled = None
    subscription.update(has_scheduled_changes=False, change_scheduled_at=None)
    core.emit("subscription.updated", subscription)


def apply_changes(
    core: Core, subscription: Entity, ledger: SubscriptionBook, changes: dict[str, Any]
) -> None:
    """Apply an update to the subscription and its ledger (or to copies, for a preview)."""
    issued = subscription["total_count"] - subscription["remaining_count"]
    before = plan_of(core, subscription)
    subscription.update(changes)
    if "remaining_count" in changes:
        subscription["total_count"] = issued + changes["remaining_count"]
    if cycle_length_changed(before, plan_of(core, subscription)) and subscription["current_end"]:
        # Boundaries are counted from the anchor in the plan's period, so a plan with another
        # period starts counting afresh where the current (already billed) cycle ends.
        ledger.anchor, ledger.cycle = subscription["current_end"], -1
    if ledger.anchor is not None and {"remaining_count", "plan_id"} & set(changes):
        refresh_end_at(core, subscription, ledger)


def cycle_length_changed(before: Entity, after: Entity) -> bool:
    return (before["period"], before["interval"]) != (after["period"], after["interval"])
