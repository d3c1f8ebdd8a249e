"""Credit packs bought through Razorpay orders, and the append-only credits ledger.

Every mutual exclusion here is an insert into a unique index (FerretDB cannot make a conditional
update atomic): a purchase slot per user, pack and round; a buy request per idempotency key; a
ledger entry per (account, sequence number) and per cause.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING, IndexModel


class PurchaseStatus(StrEnum):
    CREATED = "created"  # the order exists; nothing captured yet (failed attempts may exist)
    PAID = "paid"  # captured at the pack's price: the credits are granted
    FLAGGED = "flagged"  # captured at another amount: recorded, nothing granted, for staff


class CreditPurchase(Document):
    """One per Razorpay order; its `_id` is the claim that made it: one per user, pack, round."""

    id: str  # type: ignore[assignment]  # the slot: "<user>:<pack>:<round>"
    user_id: PydanticObjectId
    pack_code: str
    credits: int
    amount: int  # paise: the pack's price when the order was made, what must be paid
    currency: str
    validity_days: int | None
    receipt: str
    razorpay_order_id: str | None = None  # None until Razorpay has answered
    status: PurchaseStatus = PurchaseStatus.CREATED
    payment_id: str | None = None  # the captured payment
    paid_amount: int | None = None
    created_at: datetime

    class Settings:
        name = "credit_purchases"
        indexes = [
            IndexModel([("razorpay_order_id", ASCENDING)], name="order"),
            IndexModel([("user_id", ASCENDING), ("pack_code", ASCENDING)], name="user_pack"),
        ]


class BuyRequest(Document):
    """`buyCredits`'s idempotency key, claimed once: a retry returns the same purchase."""

    id: str  # type: ignore[assignment]  # "<user>:<idempotency key>"
    purchase_id: str
    pack_code: str
    created_at: datetime

    class Settings:
        name = "credit_buy_requests"


class EntryKind(StrEnum):
    GRANT = "grant"  # a purchase paid, keyed by its payment id
    SPEND = "spend"  # keyed by the caller's idempotency key
    CLAWBACK = "clawback"  # a refund of a purchase, keyed by the refund id
    CLAWBACK_REVERSED = "clawback_reversed"  # that refund failed: what it took, given back
    ADJUSTMENT = "adjustment"  # staff, with a reason, keyed by their idempotency key
    EXPIRY = "expiry"  # a lot's validity ended, keyed by the lot


class Lot(BaseModel):
    """Credits of one grant still held, with when they expire (None: never)."""

    lot: str  # the cause of the entry that granted them
    remaining: int
    expires_at: datetime | None = None


class CreditEntry(Document):
    """Entry `seq` of an account: `_id` is "<user>:<seq>", so two writers cannot both append the
    same number; `cause` is unique, so a replayed cause adds nothing."""

    id: str  # type: ignore[assignment]
    user_id: PydanticObjectId
    seq: int
    cause: str
    kind: EntryKind
    amount: int  # signed: what this entry changed
    balance_after: int
    lots_after: list[Lot]
    pack_code: str | None = None
    reason: str | None = None
    shortfall: int = 0  # a clawback staff allowed beyond the balance: what could not be taken
    actor: str | None = None
    at: datetime

    class Settings:
        name = "credit_entries"
        indexes = [
            IndexModel([("cause", ASCENDING)], name="cause_unique", unique=True),
            IndexModel([("user_id", ASCENDING), ("seq", DESCENDING)], name="account_seq"),
        ]


class CreditCause(Document):
    """Which entry a cause made, for reading by `_id`: FerretDB answers any other read by
    scanning the collection. Written after its entry; the entry's unique `cause` is the guard."""

    id: str  # type: ignore[assignment]  # the cause
    entry_id: str

    class Settings:
        name = "credit_causes"
