"""What the billing functions need from the outside world, passed in explicitly."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from api.billing.catalog import PRO, Plan
from api.clock import Clock
from api.gateway.client import RazorpayGateway


@dataclass
class Billing:
    gateway: RazorpayGateway
    clock: Clock
    key_id: str
    grace: timedelta
    plan: Plan = PRO
    razorpay_plan_id: str | None = None  # from settings, or synced on first use
    auto_sync_plan: bool = False  # only against the sandbox: never create plans at Razorpay unasked
    verified_plan_id: str | None = None  # the plan id last checked to sell exactly `plan`
    plan_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def now(self) -> datetime:
        return self.clock.now()

    def reading_within(self, seconds: float) -> Billing:
        """For work with a deadline (a webhook): gateway reads are one attempt cut at `seconds`
        (`RazorpayGateway.reading_within`). The copy shares the plan lock but not later plan
        syncs, so it is for one piece of work, not to keep."""
        return dataclasses.replace(self, gateway=self.gateway.reading_within(seconds))
