"""Razorpay's webhook envelope: a snapshot of the entities at the moment the event happened."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from razorpay_sandbox.ids import new_id

Entity = dict[str, Any]


@dataclass(frozen=True)
class Event:
    event_id: str
    name: str
    body: bytes


class EventSink(Protocol):
    def publish(self, event: Event) -> None: ...


def envelope(account_id: str, name: str, entities: Sequence[Entity], created_at: int) -> Entity:
    return {
        "entity": "event",
        "account_id": account_id,
        "event": name,
        "contains": [entity["entity"] for entity in entities],
        "payload": {entity["entity"]: {"entity": copy.deepcopy(entity)} for entity in entities},
        "created_at": created_at,
    }


def make_event(account_id: str, name: str, entities: Sequence[Entity], created_at: int) -> Event:
    body = json.dumps(envelope(account_id, name, entities, created_at), separators=(",", ":"))
    return Event(event_id=new_id("evt"), name=name, body=body.encode("utf-8"))
