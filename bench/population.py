"""Signed-in users for the HTTP benchmarks: half of them Pro, each with a token, written straight
into the database the service and the baseline both read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from bson import ObjectId
from pymongo import AsyncMongoClient

from api.documents.subscriptions import AccessReason, SubscriptionState
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
        [("user_id", 1), ("state.access_until", -1)], name="user_state_access"
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
    """A paid Pro subscription, as the service's own document stores it (built through the model,
    so a change of the document's shape reaches the bench too)."""
    state = SubscriptionState(
        access_until=now + timedelta(days=29), access_reason=AccessReason.PAID
    )
    return {
        "user_id": user_id,
        "razorpay_subscription_id": f"sub_Bench{i:09d}",
        "razorpay_plan_id": "plan_Bench00000001",
        "plan_code": "pro",
        "period": "monthly",
        "state": state.model_dump(mode="python"),
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


def check_decisions(url: str, subjects: list[str]) -> None:
    """The seeded Pro users (even) are allowed and the free ones (odd) are not, as the service
    reads them: a population the service misreads would measure the wrong path."""
    verifier = TokenVerifier(JWT_SECRET)
    for subject, expected in ((subjects[0], True), (subjects[1], False)):
        response = httpx.post(
            url + "/graphql",
            json={"query": CAN_USE},
            headers={"Authorization": f"Bearer {token_for(verifier, subject)}"},
            timeout=10,
        )
        allowed = response.json()["data"]["canUse"]["allowed"]
        if allowed is not expected:
            raise RuntimeError(f"{subject}: canUse allowed={allowed}, seeded as {expected}")
