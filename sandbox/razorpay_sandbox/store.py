"""The sandbox's state: entities by kind, per-subscription bookkeeping, refund idempotency keys.

Kept in memory; with a state file, written atomically and owner-only after every change, with
the clock offset, so a restart keeps every entity and the time the sandbox had reached.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from razorpay_sandbox.errors import not_found
from razorpay_sandbox.files import write_private

Entity = dict[str, Any]
KINDS = ("plan", "customer", "subscription", "order", "payment", "refund", "invoice")
FORMAT_VERSION = 1


@dataclass
class SubscriptionBook:
    """What Razorpay knows about a subscription but does not show in the entity."""

    anchor: int | None = None
    cycle: int = -1
    invoice_id: str | None = None
    cancel_at_cycle_end: bool = False
    outcomes: list[list[str | None]] = field(default_factory=list)
    scheduled: dict[str, Any] | None = None
    addons: list[dict[str, Any]] = field(default_factory=list)
    # Paid with an international card: the one card kind whose subscription can be updated.
    international: bool = False


@dataclass
class RefundKey:
    payment_id: str
    request: str
    refund_id: str


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.entities: dict[str, dict[str, Entity]] = {kind: {} for kind in KINDS}
        self.books: dict[str, SubscriptionBook] = {}
        self.refund_keys: dict[str, RefundKey] = {}
        self.clock_offset = timedelta(0)
        self.dirty = False

    def add(self, entity: Entity) -> Entity:
        self.entities[entity["entity"]][entity["id"]] = entity
        self.dirty = True
        return entity

    def find(self, kind: str, entity_id: str) -> Entity | None:
        return self.entities[kind].get(entity_id)

    def get(self, kind: str, entity_id: str) -> Entity:
        found = self.find(kind, entity_id)
        if found is None:
            raise not_found()
        return found

    def all(self, kind: str) -> list[Entity]:
        return list(self.entities[kind].values())

    def book(self, subscription_id: str) -> SubscriptionBook:
        return self.books.setdefault(subscription_id, SubscriptionBook())

    def changed(self) -> None:
        self.dirty = True

    def reset(self) -> None:
        self.entities = {kind: {} for kind in KINDS}
        self.books.clear()
        self.refund_keys.clear()
        self.dirty = True

    def commit(self, clock_offset: timedelta) -> None:
        """Persist if anything changed (or the clock moved) since the last commit."""
        if self.path is None or not (self.dirty or clock_offset != self.clock_offset):
            self.dirty = False
            return
        self.clock_offset = clock_offset
        write_private(self.path, json.dumps(self.snapshot()))
        self.dirty = False

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "clock_offset_seconds": self.clock_offset.total_seconds(),
            "entities": self.entities,
            "books": {key: asdict(book) for key, book in self.books.items()},
            "refund_keys": {key: asdict(value) for key, value in self.refund_keys.items()},
        }

    @classmethod
    def load(cls, path: Path | None) -> Store:
        store = cls(path)
        if path is None or not path.exists():
            return store
        data = json.loads(path.read_text(encoding="utf-8"))
        for kind in KINDS:
            store.entities[kind] = dict(data["entities"].get(kind, {}))
        store.books = {k: SubscriptionBook(**v) for k, v in data["books"].items()}
        store.refund_keys = {k: RefundKey(**v) for k, v in data["refund_keys"].items()}
        store.clock_offset = timedelta(seconds=float(data["clock_offset_seconds"]))
        return store


def saved_clock_offset(state_file: Path | None) -> timedelta:
    """The clock offset a persisted sandbox had reached: start the clock that far ahead."""
    return Store.load(state_file).clock_offset
