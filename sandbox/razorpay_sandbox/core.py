"""What every handler works with: config, clock, state and the outgoing events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from razorpay_sandbox.clock import Clock
from razorpay_sandbox.config import SandboxConfig
from razorpay_sandbox.events import EventSink, make_event
from razorpay_sandbox.faults import Faults
from razorpay_sandbox.store import Store

Entity = dict[str, Any]


@dataclass
class Core:
    config: SandboxConfig
    clock: Clock
    store: Store
    sink: EventSink
    faults: Faults = field(default_factory=Faults)
    # Test knob: refunds asked for through the API stay `pending` until the control API
    # processes or fails them (in memory only, like the faults).
    hold_refunds: bool = False

    def now(self) -> int:
        return int(self.clock.now().timestamp())

    def emit(self, name: str, *entities: Entity) -> None:
        """Queue a webhook; the payload is a snapshot, as Razorpay's are."""
        event = make_event(self.config.account_id, name, entities, self.now())
        self.sink.publish(event)

    def commit(self) -> None:
        self.store.commit(self.clock.offset)
