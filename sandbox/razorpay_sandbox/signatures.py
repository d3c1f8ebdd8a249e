"""HMAC-SHA256 signatures exactly as Razorpay computes them (FACTS §4, §5)."""

from __future__ import annotations

import hashlib
import hmac


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def webhook_signature(webhook_secret: str, body: bytes) -> str:
    """Over the exact bytes sent, never a re-serialisation."""
    return hmac_hex(webhook_secret, body)


def order_payment_signature(key_secret: str, order_id: str, payment_id: str) -> str:
    return hmac_hex(key_secret, f"{order_id}|{payment_id}".encode())


def subscription_payment_signature(key_secret: str, payment_id: str, subscription_id: str) -> str:
    # Payment id first: the reverse of the order formula, as Razorpay defines it.
    return hmac_hex(key_secret, f"{payment_id}|{subscription_id}".encode())
