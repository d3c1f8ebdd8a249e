"""Features as permissions: `p, <plan>, feature, <code>` in the policy: which plans include one.

The catalog names the features; which plan includes one is read from the policy, so moving a
feature between plans is a policy edit, shown in `plans` and `canUse` alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.authz.caller import Caller, Verdict
from api.authz.policy import Authorizer
from api.catalog.allowance import Decision
from api.catalog.model import Catalog, Feature, Plan

FEATURE = "feature"


@dataclass(frozen=True)
class PlanFeature:
    feature: Feature
    included: bool
    cheapest: Plan | None  # the cheapest plan that includes it


def cheapest_plan(authorizer: Authorizer, catalog: Catalog, code: str) -> Plan | None:
    found = authorizer.cheapest_plan(FEATURE, code)
    return catalog.plan(found) if found is not None else None


def plan_features(authorizer: Authorizer, catalog: Catalog, plan: Plan) -> list[PlanFeature]:
    """Every feature of the catalog: whether `plan` includes it, and the cheapest plan that does."""
    role = frozenset({plan.code})
    return [
        PlanFeature(
            f,
            authorizer.allows(role, FEATURE, f.code),
            cheapest_plan(authorizer, catalog, f.code),
        )
        for f in catalog.features
    ]


def feature_code(obj: str, act: str) -> str | None:
    """The feature a permission stands for, if it stands for one."""
    return act if obj == FEATURE else None


async def decide(caller: Caller, catalog: Catalog, feature: Feature) -> Decision:
    """One feature for the caller. `feature` comes from the catalog, never straight from a
    client, so the authorizer's memo stays bounded."""
    plan = cheapest_plan(caller.authorizer, catalog, feature.code)
    verdict = await caller.verdict(FEATURE, feature.code)
    allowed = verdict is Verdict.ALLOWED
    return Decision(feature.code, feature.name, allowed, _reason(verdict, plan, catalog), plan)


async def decide_all(caller: Caller, catalog: Catalog) -> list[Decision]:
    return [await decide(caller, catalog, feature) for feature in catalog.features]


def _reason(verdict: Verdict, plan: Plan | None, catalog: Catalog) -> str:
    if verdict is Verdict.ALLOWED:
        if plan is None:
            return "granted to your role"
        return "included in every plan" if plan == catalog.default_plan else "included in your plan"
    if verdict is Verdict.UPGRADE_REQUIRED and plan is not None:
        return f"requires {plan.name}"
    if verdict is Verdict.UNAUTHENTICATED:
        return "sign in to use it"
    return "not available"
