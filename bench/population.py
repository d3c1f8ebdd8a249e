"""Signed-in users for the HTTP benchmarks: half of them Pro, each with a token, written straight
into the database the service and the baseline both read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient

from api.identity.tokens import TokenVerifier
from bench.load import Request
from bench.servers import JWT_SECRET

USERS = 64
CAN_USE = (
    'query { canUse(feature: "github_import") { ... on FeatureAccess { allowed reason'
    " requiredPlan } } }"
)


async def seed_users(uri: str, db: str, count: int = USERS) -> list[str]:
    """`count` users (bench-user-<i>), the even ones with a live Pro grant; their subjects."""
    now = datetime.now(UTC)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    database = client[db]
    await database.users.create_index("subject", unique=True, name="subject_unique")
    await database.subscriptions.create_index(
        [("user_id", 1), ("access_until", -1)], name="user_access"
    )
    subjects = [f"bench-user-{i}" for i in range(count)]
    users = [_user(subject, now) for subject in subjects]
    await database.users.insert_many(users)
    await database.subscriptions.insert_many(
        [_grant(user["_id"], i, now) for i, user in enumerate(users) if i % 2 == 0]
    )
    await client.close()
    return subjects


def _user(subject: str, now: datetime) -> dict[str, Any]:
    return {
        "_id": ObjectId(),
        "subject": subject,
        "email": f"{subject}@example.com",
        "created_at": now,
    }


def _grant(user_id: ObjectId, i: int, now: datetime) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "razorpay_subscription_id": f"sub_Bench{i:09d}",
        "razorpay_plan_id": "plan_Bench00000001",
        "plan_code": "pro",
        "status": "active",
        "current_start": now - timedelta(days=1),
        "current_end": now + timedelta(days=29),
        "paid_count": 1,
        "access_until": now + timedelta(days=29),
        "access_reason": "paid",
        "cancel_at_period_end": False,
        "revoked": False,
        "applied_rank": [],
        "created_at": now,
        "updated_at": now,
    }


def can_use_requests(subjects: list[str]) -> list[Request]:
    verifier = TokenVerifier(JWT_SECRET)
    body = json.dumps({"query": CAN_USE})
    return [
        Request(
            "POST",
            "/graphql",
            {
                "Content-Type": "application/json",
                "Authorization": "Bearer " + token_for(verifier, subject),
            },
            body,
        )
        for subject in subjects
    ]


def token_for(verifier: TokenVerifier, subject: str) -> str:
    now = datetime.now(UTC)
    return verifier.issue(
        subject=subject,
        email=f"{subject}@example.com",
        roles=frozenset(),
        now=now,
        ttl=timedelta(hours=12),
    )
