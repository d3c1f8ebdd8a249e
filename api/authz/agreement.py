"""Where `policy.csv` and `catalog.toml` disagree: checked at every start (and by the tests).

The catalog says what plans and features exist; the policy says which plan may use which feature.
Each plan must be a role of the policy, each `feature` permission must name a catalog feature, and
each catalog feature must be granted to some plan, or a typo would silently deny (or sell nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.catalog.model import Catalog

if TYPE_CHECKING:
    from api.authz.policy import Authorizer

FEATURE = "feature"


def disagreements(authorizer: Authorizer, catalog: Catalog) -> list[str]:
    grants = authorizer.grants()
    named = {role for role, _ in grants}
    named |= {role for pair in authorizer.inheritance() for role in pair}
    problems = [
        f"plan {p.code!r} is no role in policy.csv" for p in catalog.plans if p.code not in named
    ]
    codes = {f.code for f in catalog.features}
    granted = {permission.act for _, permission in grants if permission.obj == FEATURE}
    problems += [
        f"policy grants feature {c!r}, which catalog.toml lacks" for c in sorted(granted - codes)
    ]
    for feature in catalog.features:
        if authorizer.cheapest_plan(FEATURE, feature.code) is None:
            problems.append(f"feature {feature.code!r} is granted to no plan")
    problems += _downgrades(authorizer, catalog, sorted(codes & granted))
    return problems


def _downgrades(authorizer: Authorizer, catalog: Catalog, features: list[str]) -> list[str]:
    """Going up a plan never takes a feature away (each plan's role inherits the one below)."""
    problems = []
    for lower, upper in zip(catalog.plans, catalog.plans[1:], strict=False):
        for code in features:
            low = authorizer.allows(frozenset({lower.code}), FEATURE, code)
            if low and not authorizer.allows(frozenset({upper.code}), FEATURE, code):
                problems.append(
                    f"plan {upper.code!r} lacks feature {code!r} that {lower.code!r} has"
                )
    return problems
