"""Customer (`cust_…`): create (with `fail_existing`) and edit."""

from __future__ import annotations

import re
from typing import Any

from razorpay_sandbox import validation as v
from razorpay_sandbox.errors import ApiError, invalid
from razorpay_sandbox.ids import new_id

Entity = dict[str, Any]
EDITABLE = ("name", "email", "contact")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def new_customer(body: v.Body, now: int) -> Entity:
    v.only(body, ("name", "email", "contact", "fail_existing", "gstin", "notes"))
    return {
        "id": new_id("cust"),
        "entity": "customer",
        **details(body),
        "gstin": v.text(body, "gstin", max_length=15),
        "notes": v.notes_out(v.notes(body)),
        "created_at": now,
    }


def details(body: v.Body) -> Entity:
    return {
        "name": v.text(body, "name", min_length=3, max_length=50),
        "email": email(body),
        "contact": contact(body),
    }


def email(body: v.Body) -> str | None:
    value = v.text(body, "email", max_length=64)
    if value is not None and not _EMAIL.match(value):
        raise invalid("The email must be a valid email address.", "email")
    return value


def contact(body: v.Body) -> str | None:
    raw = body.get("contact")
    value = v.text({"contact": str(raw)} if raw is not None else {}, "contact", max_length=15)
    if value is not None and sum(ch.isdigit() for ch in value) < 8:
        raise ApiError(
            "Contact number should be at least 8 digits, including country code",
            field="contact",
            reason="invalid_contact_number",
        )
    return value


def same_person(customer: Entity, email_: str | None, contact_: str | None) -> bool:
    # Razorpay keeps the email+contact combination unique per merchant.
    return (email_, contact_) != (None, None) and (
        customer["email"],
        customer["contact"],
    ) == (email_, contact_)


def edit(customer: Entity, body: v.Body) -> Entity:
    v.only(body, EDITABLE)
    changes = {key: value for key, value in details(body).items() if key in body}
    return {**customer, **changes}
