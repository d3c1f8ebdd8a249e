"""Money as integer paise with a currency, and how it reads."""

from __future__ import annotations

import strawberry

from api.catalog.money import format_money


@strawberry.type(description="An amount of money in the currency's smallest unit (paise for INR).")
class Money:
    amount: int = strawberry.field(description="In the smallest unit: 10000 is ₹100.")
    currency: str

    @strawberry.field(description="For display, e.g. ₹100.")
    def formatted(self) -> str:
        return format_money(self.amount, self.currency)


def money(amount: int, currency: str) -> Money:
    return Money(amount=amount, currency=currency)
