"""What the billing functions need from the outside world, passed in explicitly."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from api.billing.catalog import PRO, Plan
from api.billing.plans import PlanResolver
from api.catalog.model import Catalog
from api.clock import Clock
from api.gateway.client import RazorpayGateway


@dataclass(frozen=True)
class Billing:
    """Built once per app. What is learnt while it runs (the Razorpay plan) is the resolver's."""

    gateway: RazorpayGateway
    clock: Clock
    key_id: str
    grace: timedelta
    plans: PlanResolver
    catalog: Catalog
    plan: Plan = PRO

    def now(self) -> datetime:
        return self.clock.now()

    def reading_within(self, seconds: float) -> Billing:
        """For work with a deadline (a webhook): gateway reads are one attempt cut at `seconds`
        (`RazorpayGateway.reading_within`). The copy shares everything else, the plan resolver
        included."""
        return dataclasses.replace(self, gateway=self.gateway.reading_within(seconds))
