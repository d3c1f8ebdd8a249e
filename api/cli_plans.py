"""`python -m api plans sync`: every sold price of the catalog at Razorpay (or the running
service's sandbox), each linked to its Razorpay plan in the service's database."""

from __future__ import annotations

import asyncio
import json

from api.billing.plans import sync_catalog
from api.cli_billing import billing_of
from api.razorpay_wiring import check_sandbox_installed
from api.settings import Settings


async def sync(settings: Settings) -> list[dict[str, object]]:
    """One line per sold price: the plan, its period and price, and the Razorpay plan charging
    it. Prices that have a plan keep it; a changed price gets a new one."""
    async with billing_of(settings) as billing:
        synced = await sync_catalog(billing.gateway, billing.catalog, billing.now())
    return [
        {
            "plan": s.plan.code,
            "period": s.price.period.value,
            "interval": s.price.interval,
            "amount": s.price.amount,
            "currency": s.price.currency,
            "plan_id": s.razorpay_plan_id,
        }
        for s in synced
    ]


def main(settings: Settings) -> int:
    check_sandbox_installed(settings)  # without keys the plans go to the sandbox: say so first
    for line in asyncio.run(sync(settings)):
        print(json.dumps(line))
    return 0
