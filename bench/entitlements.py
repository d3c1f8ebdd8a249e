"""The `entitlements` query with a full catalog (the workspace tiers: four plans, two limits with
their usage, a level, four features) over HTTP, beside the bare-Starlette baseline
(bench/baseline.py: a JWT and the two indexed reads), at 8 and 32 connections in alternating
rounds. Issue 13 sets no target: the figures (requests/s, p50, p99, and the ratios to the
baseline) are recorded in bench/results/entitlements.json.

The users are spread over the four plans by staff grants (the copy on the user document), so
every answer differs by plan; before measuring, the bench checks that each plan answers as the
catalog says (a bench that measured errors would say nothing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from pymongo import AsyncMongoClient

from api.identity.tokens import TokenVerifier
from bench import load
from bench.canuse import CONNECTIONS, side_by_side
from bench.environment import database, record
from bench.guards import scratch
from bench.population import USERS, token_for
from bench.servers import JWT_SECRET, Server, baseline, service

TIERS = Path(__file__).resolve().parent.parent / "examples" / "catalogs" / "workspace-tiers"
PLANS = ("free", "pro", "teams", "business")
PROJECTS = {"free": 1, "pro": 5, "teams": 20, "business": None}
ENTITLEMENTS = """{ entitlements { plan { code name prices { period price { amount currency } } }
  accessUntil reason features { feature name allowed reason requiredPlan }
  limits { feature name kind reset limit unlimited used remaining resetsAt }
  levels { code name value above { value plan } } } }"""


async def seed(uri: str, db: str) -> dict[str, str]:
    """USERS users, bench-user-<i> on PLANS[i % 4] (free: no grant); subject -> plan."""
    now = datetime.now(UTC)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    users, plans = [], {}
    for i in range(USERS):
        subject, plan = f"bench-user-{i}", PLANS[i % len(PLANS)]
        plans[subject] = plan
        users.append(_user(subject, plan, now))
    await client[db].users.create_index("subject", unique=True, name="subject_unique")
    await client[db].users.insert_many(users)
    await client.close()
    return plans


def _user(subject: str, plan: str, now: datetime) -> dict[str, Any]:
    user_id = ObjectId()
    grant = None
    if plan != "free":
        until = now + timedelta(days=30)
        grant = {
            "id": f"{user_id}:1",
            "seq": 1,
            "plan_code": plan,
            "until": until,
            "reason": "bench",
        }
    return {"_id": user_id, "subject": subject, "created_at": now, "grant": grant}


def requests_for(subjects: list[str]) -> list[load.Request]:
    verifier = TokenVerifier(JWT_SECRET)
    body = json.dumps({"query": ENTITLEMENTS})
    return [
        load.Request(
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


def check(project: Server, plans: dict[str, str], requests: list[load.Request]) -> None:
    """Each of the first four users (one per plan) gets their plan and its projects limit."""
    for subject, request in list(zip(plans, requests, strict=True))[: len(PLANS)]:
        answer = httpx.post(f"{project.url}/graphql", headers=request.headers, content=request.body)
        body = answer.json()
        assert "errors" not in body, body
        found = body["data"]["entitlements"]
        projects = next(x["limit"] for x in found["limits"] if x["feature"] == "projects")
        assert (found["plan"]["code"], projects) == (plans[subject], PROJECTS[plans[subject]])


async def measure(tmp: Path) -> dict[str, Any]:
    binary = load.build(tmp)
    with database(tmp) as (uri, name):
        plans = await seed(uri, name)
        asked = requests_for(list(plans))
        requests = load.write_requests(tmp / "entitlements.jsonl", asked)
        env = {"POLICY_DIR": str(TIERS)}
        with service(uri, name, tmp, extra_env=env) as project, baseline(uri, name, tmp) as bare:
            check(project, plans, asked)
            return {
                f"{conns}_connections": side_by_side(binary, requests, project, bare, conns)
                for conns in CONNECTIONS
            }


def report(result: dict[str, Any]) -> None:
    for conns in CONNECTIONS:
        row = result["http"][f"{conns}_connections"]
        ours, theirs = row["project"], row["baseline"]
        print(
            f"  entitlements (workspace tiers), {conns:2} connections: "
            f"{ours['ok_per_second']:7.1f} req/s, p50 {ours['p50_ms']} ms, p99 {ours['p99_ms']} ms;"
            f" baseline {theirs['ok_per_second']:7.1f} req/s, p50 {theirs['p50_ms']} ms, p99"
            f" {theirs['p99_ms']} ms; ratio {row['throughput_ratio']:.2f}, p99"
            f" {row['p99_ratio']:.2f}x"
        )


async def main() -> int:
    with scratch() as tmp:
        result: dict[str, Any] = {"catalog": str(TIERS.name), "http": await measure(tmp)}
    result["target"] = None  # issue 13 gives none: the figures are for comparing runs
    path = record("entitlements", result)
    report(result)
    print(f"entitlements: recorded in {path} (no target)")
    return 0
