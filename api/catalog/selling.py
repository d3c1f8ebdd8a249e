"""What the service sells, read off the catalog: the default offer, prices in words, cycles."""

from __future__ import annotations

from api.catalog.model import Catalog, Period, Plan, Price
from api.catalog.money import format_money

# A Razorpay subscription needs a number of cycles: ten years of renewals.
YEARS_OF_CYCLES = 10
MONTHS = {Period.MONTHLY: 1, Period.YEARLY: 12}


def cheapest_sold(catalog: Catalog) -> Plan | None:
    """The plan `upgrade` sells when no plan is named (Pro, in the default catalog)."""
    return next((p for p in catalog.plans if p.sold), None)


def total_count(price: Price) -> int:
    return max(1, YEARS_OF_CYCLES * 12 // (MONTHS[price.period] * price.interval))


def describe(plan: Plan, price: Price) -> str:
    """`Pro, ₹100 a month`, `Teams, ₹49,990 a year`, `Pro, ₹300 every 3 months`."""
    unit = "month" if price.period is Period.MONTHLY else "year"
    every = f"a {unit}" if price.interval == 1 else f"every {price.interval} {unit}s"
    return f"{plan.name}, {format_money(price.amount, price.currency)} {every}"
