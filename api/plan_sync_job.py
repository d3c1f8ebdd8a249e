"""The embedded sandbox's prices synced by themselves: `plans sync`, run in the background once
the service answers (the sandbox is served by the service itself, so not during its start)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

from api.background import running
from api.billing.deps import Billing
from api.gateway.errors import GatewayCallError

ATTEMPTS = 40
PAUSE_SECONDS = 0.5
log = structlog.get_logger("billing.plans")


@asynccontextmanager
async def syncing_plans(billing: Billing, *, enabled: bool) -> AsyncIterator[None]:
    """Syncs every sold price while the app runs (only when `enabled`); cancelled at shutdown.
    An upgrade that comes first syncs its own price (`PlanResolver`), under the same lock."""
    if not enabled:
        yield
        return
    async with running(_sync(billing)):
        yield


async def _sync(billing: Billing) -> None:
    for _ in range(ATTEMPTS):
        try:
            synced = await billing.plans.sync_all(billing.gateway, billing.catalog, billing.now())
        except GatewayCallError as error:  # the service is not answering yet
            last = error.message
            await asyncio.sleep(PAUSE_SECONDS)
            continue
        log.info("plans_synced", prices=len(synced))
        return
    log.error("plans_not_synced", reason=last)
