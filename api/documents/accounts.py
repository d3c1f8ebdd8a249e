"""Billing accounts: a user's Razorpay customer, reused for every later subscription."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel


class BillingAccount(Document):
    user_id: PydanticObjectId
    razorpay_customer_id: str
    created_at: datetime

    class Settings:
        name = "billing_accounts"
        indexes = [
            IndexModel([("user_id", ASCENDING)], name="user_unique", unique=True),
            # Not unique: users who share an email share a Razorpay customer.
            IndexModel([("razorpay_customer_id", ASCENDING)], name="customer"),
        ]
