"""Subscription (`sub_…`) entity and its create body (FACTS §2.3)."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.errors import invalid, not_found
from razorpay_sandbox.ids import new_id, random_alnum
from razorpay_sandbox.periods import boundary

Entity = dict[str, Any]
CREATE_FIELDS = (
    "plan_id",
    "total_count",
    "quantity",
    "start_at",
    "expire_by",
    "customer_notify",
    "addons",
    "offer_id",
    "notes",
    "notify_info",
    # Not documented, but the SDK's own fixture sends it; Razorpay links the customer at
    # authentication regardless, so it is accepted and ignored.
    "customer_id",
)


def new_subscription(body: v.Body, plan: Entity, now: int) -> Entity:
    v.only(body, CREATE_FIELDS)
    if body.get("offer_id") is not None:
        raise not_found()
    total = v.integer(body, "total_count", minimum=1)
    if total is None:
        raise invalid("The total count field is required.", "total_count")
    start_at = future_time(body, "start_at", now)
    return {
        "id": new_id("sub"),
        "entity": "subscription",
        "plan_id": plan["id"],
        "customer_id": None,
        "status": "created",
        "current_start": None,
        "current_end": None,
        "ended_at": None,
        "quantity": v.integer(body, "quantity", default=1, minimum=1),
        "notes": v.notes_out(v.notes(body)),
        "charge_at": start_at,
        "start_at": start_at,
        "end_at": None if start_at is None else last_cycle_start(plan, start_at, total),
        "auth_attempts": 0,
        "total_count": total,
        "paid_count": 0,
        "created_at": now,
        "expire_by": future_time(body, "expire_by", now),
        "short_url": "https://rzp.io/i/" + random_alnum(10),
        "customer_notify": v.flag(body, "customer_notify", default=True),
        "remaining_count": total,
        **UNSET_FIELDS,
    }


UNSET_FIELDS: Entity = {
    "has_scheduled_changes": False,
    "change_scheduled_at": None,
    "source": "api",
    "payment_method": None,
    "offer_id": None,
}


def future_time(body: v.Body, name: str, now: int) -> int | None:
    value = v.integer(body, name)
    if value is not None and value <= now:
        raise invalid(f"{name} cannot be lesser than the current time.", name)
    return value


def last_cycle_start(plan: Entity, anchor: int, total_count: int) -> int:
    return boundary(anchor, plan["period"], plan["interval"], total_count - 1)


def addon_items(body: v.Body) -> list[Entity]:
    addons = body.get("addons") or []
    if not isinstance(addons, list):
        raise invalid("The addons must be an array.", "addons")
    items = []
    for addon in addons:
        item = addon.get("item") if isinstance(addon, dict) else None
        if not isinstance(item, dict):
            raise invalid("The addons.item field is required.", "addons")
        v.only(item, ("name", "amount", "currency", "description"))
        v.required(item, "name")
        items.append({**item, "amount": v.amount(item), "id": None})
    return items
