"""Features as permissions: `p, <role>, feature, <code>` in the policy says who may use each.

The catalog names the features; which plan includes one is read from the policy, so moving a
feature between plans is a policy edit, shown in `plans` and `canUse` alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.authz.caller import Caller, Verdict
from api.authz.policy import Authorizer
from api.authz.roles import FREE, PRO
from api.billing.catalog import FEATURES, Feature, FeatureInfo, PlanCode, feature_info

FEATURE = "feature"
PLAN_ROLES = ((PlanCode.FREE, FREE), (PlanCode.PRO, PRO))  # cheapest first


@dataclass(frozen=True)
class FeatureDecision:
    feature: FeatureInfo
    allowed: bool
    reason: str
    required_plan: PlanCode | None  # None: no plan includes it


def cheapest_plan(authorizer: Authorizer, feature: Feature) -> PlanCode | None:
    for plan, role in PLAN_ROLES:
        if authorizer.allows(frozenset({role}), FEATURE, feature.value):
            return plan
    return None


def plan_features(authorizer: Authorizer, plan: PlanCode) -> list[tuple[FeatureInfo, PlanCode]]:
    """The features `plan` includes, each with the cheapest plan that does."""
    roles = frozenset({dict(PLAN_ROLES)[plan]})
    included = [f for f in FEATURES if authorizer.allows(roles, FEATURE, f.feature.value)]
    return [(f, cheapest_plan(authorizer, f.feature) or plan) for f in included]


def feature_code(obj: str, act: str) -> str | None:
    """The feature a permission stands for, as the schema's FeatureCode names it."""
    if obj != FEATURE or act not in set(Feature):
        return None
    return Feature(act).name


async def decide(caller: Caller, feature: Feature) -> FeatureDecision:
    plan = cheapest_plan(caller.authorizer, feature)
    verdict = await caller.verdict(FEATURE, feature.value)
    allowed = verdict is Verdict.ALLOWED
    return FeatureDecision(feature_info(feature), allowed, _reason(verdict, plan), plan)


async def decide_all(caller: Caller) -> list[FeatureDecision]:
    return [await decide(caller, info.feature) for info in FEATURES]


def _reason(verdict: Verdict, plan: PlanCode | None) -> str:
    if verdict is Verdict.ALLOWED:
        if plan is PlanCode.FREE:
            return "included in every plan"
        return "included in Pro" if plan is PlanCode.PRO else "granted to your role"
    if verdict is Verdict.UPGRADE_REQUIRED:
        return "requires Pro"
    if verdict is Verdict.UNAUTHENTICATED:
        return "sign in to use it"
    return "not available"
