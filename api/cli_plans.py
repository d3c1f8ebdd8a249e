"""`python -m api plans sync`: every sold price of the catalog at Razorpay (or the running
service's sandbox)."""

from __future__ import annotations

import asyncio
import json

from api.billing.plans import sync_plan
from api.catalog.load import load_catalog
from api.gateway.client import RazorpayGateway
from api.gateway.config import GatewaySettings
from api.razorpay_wiring import sandbox_required
from api.settings import Settings


def gateway_settings(settings: Settings) -> GatewaySettings:
    if not settings.uses_sandbox:
        assert settings.razorpay_key_id and settings.razorpay_key_secret
        return GatewaySettings(
            key_id=settings.razorpay_key_id,
            key_secret=settings.razorpay_key_secret.get_secret_value(),
            base_url=settings.razorpay_base_url,
        )
    # The sandbox lives inside the running service: `make run` must be going.
    with sandbox_required():
        from razorpay_sandbox import load_or_create_credentials
    credentials = load_or_create_credentials(settings.data_dir)
    return GatewaySettings(
        key_id=credentials.key_id,
        key_secret=credentials.key_secret,
        base_url=f"http://{settings.public_host}:{settings.port}/sandbox",
    )


async def sync(settings: Settings) -> list[dict[str, object]]:
    """One line per sold price: the plan, its period and the Razorpay plan that charges it."""
    catalog = load_catalog(settings.policy_dir)
    synced: list[dict[str, object]] = []
    async with RazorpayGateway(gateway_settings(settings)) as gateway:
        for plan in catalog.plans:
            for price in plan.prices:
                found = await sync_plan(gateway, plan, price)
                synced.append(
                    {
                        "plan": plan.code,
                        "period": price.period.value,
                        "plan_id": found.id,
                        "amount": found.amount,
                        "currency": found.currency,
                    }
                )
    return synced


def main(settings: Settings) -> int:
    print(json.dumps(asyncio.run(sync(settings))))
    return 0
