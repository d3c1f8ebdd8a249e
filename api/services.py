"""What a running service holds for the length of its life, built once in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from api.authz.policy import Authorizer
from api.billing.deps import Billing
from api.catalog.model import Catalog
from api.clock import Clock
from api.identity.tokens import TokenVerifier
from api.ratelimit import Budgets
from api.settings import Settings


@dataclass
class Services:
    settings: Settings
    clock: Clock
    mongo: AsyncMongoClient[dict[str, Any]]
    database: AsyncDatabase[dict[str, Any]]
    verifier: TokenVerifier
    billing: Billing
    authorizer: Authorizer  # the policy in POLICY_DIR, as loaded at start
    webhook_secret: str | None  # None refuses every webhook
    budgets: Budgets  # rate limits, kept in the database: shared by every process
    catalog: Catalog  # plans, features, limits and credit packs, as loaded at start
