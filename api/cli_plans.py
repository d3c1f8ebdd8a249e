"""`python -m api plans sync`: the Pro plan at Razorpay (or the running service's sandbox)."""

from __future__ import annotations

import asyncio
import json

from api.billing.catalog import PRO
from api.billing.plans import sync_plan
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


async def sync(settings: Settings) -> dict[str, object]:
    async with RazorpayGateway(gateway_settings(settings)) as gateway:
        plan = await sync_plan(gateway, PRO)
    return {"plan_id": plan.id, "name": plan.name, "amount": plan.amount, "currency": plan.currency}


def main(settings: Settings) -> int:
    print(json.dumps(asyncio.run(sync(settings))))
    return 0
