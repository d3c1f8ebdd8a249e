"""Amounts as people read them: paise and a currency to `₹1,499` or `₹100.50`."""

from __future__ import annotations


def format_money(amount: int, currency: str) -> str:
    symbol = {"INR": "₹"}.get(currency, currency + " ")
    rupees, paise = divmod(amount, 100)
    return f"{symbol}{rupees:,}" + (f".{paise:02d}" if paise else "")
