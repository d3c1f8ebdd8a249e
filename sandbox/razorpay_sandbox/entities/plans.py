"""Plan (`plan_…`) with its embedded item (`item_…`)."""

from __future__ import annotations

from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.errors import invalid
from razorpay_sandbox.ids import new_id
from razorpay_sandbox.periods import PERIODS

Entity = dict[str, Any]
CURRENCIES = ("INR",)


def new_plan(body: v.Body, now: int) -> Entity:
    v.only(body, ("period", "interval", "item", "notes"))
    period = v.choice(body, "period", PERIODS)
    interval = v.integer(body, "interval", minimum=1)
    if interval is None:
        raise invalid("The interval field is required.", "interval")
    if period == "daily" and interval < 7:
        raise invalid("The interval for daily plans must be at least 7.", "interval")
    return {
        "id": new_id("plan"),
        "entity": "plan",
        "interval": interval,
        "period": period,
        "item": new_item(v.required(body, "item"), now, kind="plan"),
        "notes": v.notes_out(v.notes(body)),
        "created_at": now,
    }


def new_item(item: Any, now: int, *, kind: str) -> Entity:
    if not isinstance(item, dict):
        raise invalid("The item must be an object.", "item")
    v.only(item, ("name", "amount", "currency", "description"))
    v.required(item, "name")
    amount = v.amount(item)
    return {
        "id": new_id("item"),
        "active": True,
        "name": v.text(item, "name", max_length=256),
        "description": v.text(item, "description", max_length=2048),
        "amount": amount,
        "unit_amount": amount,
        "currency": currency(item),
        "type": kind,
        "unit": None,
        "tax_inclusive": False,
        "hsn_code": None,
        "sac_code": None,
        "tax_rate": None,
        "tax_id": None,
        "tax_group_id": None,
        "created_at": now,
        "updated_at": now,
    }


def currency(body: v.Body) -> str:
    # A test account without international payments enabled takes INR only.
    return v.choice(body, "currency", CURRENCIES)
