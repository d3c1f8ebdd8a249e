"""Which Razorpay plan charges each price of the catalog: written by `plans sync`, read by
`upgrade`."""

from __future__ import annotations

from datetime import datetime

from beanie import Document

from api.catalog.model import Period


def price_key(plan_code: str, period: Period, interval: int, amount: int, currency: str) -> str:
    """The link's `_id`: one Razorpay plan per exact price, so a changed price is a new link."""
    return f"{plan_code}:{period.value}:{interval}:{amount}:{currency}"


class RazorpayPlanLink(Document):
    """A price of the catalog and the Razorpay plan that charges it. Razorpay plans never change,
    so a link never changes either; `_id` (`price_key`) is the claim two syncing processes race
    for, and the loser reads the winner's plan."""

    id: str  # type: ignore[assignment]
    plan_code: str
    period: Period
    interval: int
    amount: int  # paise
    currency: str
    razorpay_plan_id: str
    created_at: datetime

    class Settings:
        name = "razorpay_plans"
