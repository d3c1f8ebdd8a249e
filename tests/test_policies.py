"""policies/ as it is: the grants, their structure, and what a bad or edited policy does."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.authz.features import FEATURE
from api.authz.roles import known_roles
from api.catalog.load import load_catalog
from api.graphql.guards import guards_of
from api.graphql.schema import build_schema
from api.settings import ConfigurationError
from tests.policy_files import POLICIES, authorizer_of, copy_of_policies

TIERS = POLICIES.parent / "examples" / "catalogs" / "workspace-tiers"


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        ("anonymous", "plan:read", True),
        ("anonymous", "viewer:read", True),
        ("anonymous", "payment:read", False),
        ("anonymous", "subscription:upgrade", False),
        ("free", "plan:read", True),  # inherited from anonymous
        ("free", "subscription:read", True),
        ("free", "subscription:upgrade", True),
        ("free", "subscription:cancel", True),
        ("free", "payment:read", True),
        ("free", "entitlement:read", True),
        ("free", "feature:github_import", False),
        ("free", "feature:priority_support", False),
        ("free", "payment:read_any", False),
        ("free", "payment:refund", False),
        ("free", "payment:audit", False),
        ("pro", "feature:github_import", True),
        ("pro", "feature:priority_support", True),
        ("pro", "payment:read", True),  # inherited from free
        ("pro", "plan:read", True),  # inherited from anonymous, through free
        ("pro", "payment:refund", False),
        ("pro", "payment:read_any", False),
        ("support", "payment:read_any", True),
        ("support", "payment:refund", True),
        ("support", "payment:audit", True),
        ("support", "access:read_any", False),
        ("support", "feature:github_import", False),
        ("admin", "payment:refund", True),  # inherited from support
        ("admin", "payment:read_any", True),
        ("admin", "access:read_any", True),
        ("admin", "feature:github_import", False),
    ],
)
def test_the_policy_grants_exactly_this(role: str, permission: str, allowed: bool) -> None:
    obj, act = permission.split(":")

    assert authorizer_of(POLICIES).allows(frozenset({role}), obj, act) is allowed


def test_every_role_in_an_inheritance_line_is_known_and_has_grants_of_its_own() -> None:
    authorizer = authorizer_of(POLICIES)
    in_g_lines = {role for line in authorizer.inheritance() for role in line}
    with_grants = {role for role, _ in authorizer.grants()}
    known = known_roles(authorizer.plans)

    assert in_g_lines <= known
    assert in_g_lines - with_grants == set()  # a typo here would silently deny
    assert with_grants == known


def test_every_permission_a_guard_names_is_granted_and_every_grant_is_used() -> None:
    authorizer = authorizer_of(POLICIES)
    guarded = {g for g in guards_of(build_schema()).values() if g is not None}
    granted = {str(permission) for _, permission in authorizer.grants()}
    features = {f"{FEATURE}:{feature.code}" for feature in load_catalog(POLICIES).features}

    assert guarded - granted == set(), "a guard names a permission no role has"
    assert granted - guarded - features == set(), "a grant no guard or feature uses"


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        ({"p, support, payment, refund": "p, suport, payment, refund"}, "unknown role 'suport'"),
        ({"g, pro, free": "g, pro, fre"}, "unknown role 'fre'"),
        ({"p, pro, feature, github_import": "p, pro, feature"}, "p line"),
    ],
    ids=["typo-in-a-grant", "typo-in-inheritance", "short-line"],
)
def test_a_doubtful_policy_stops_the_start(
    tmp_path: Path, edit: dict[str, str], complaint: str
) -> None:
    policy_dir = copy_of_policies(tmp_path, edit=edit)

    with pytest.raises(ConfigurationError, match=complaint):
        authorizer_of(policy_dir)


def test_a_model_with_deny_rules_stops_the_start(tmp_path: Path) -> None:
    policy_dir = copy_of_policies(tmp_path, edit={})
    model = policy_dir / "model.conf"
    model.write_text(
        model.read_text().replace(
            "e = some(where (p.eft == allow))",
            "e = some(where (p.eft == allow)) && !some(where (p.eft == deny))",
        )
    )

    with pytest.raises(ConfigurationError, match="grants only"):
        authorizer_of(policy_dir)


def test_a_missing_policy_directory_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"POLICY_DIR=.*missing"):
        authorizer_of(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        (
            {
                "g, pro, free": "",
                "p, pro, feature, github_import": "",
                "p, pro, feature, priority_support": "",
            },
            "plan 'pro' is no role in policy.csv",
        ),
        (
            {"p, pro, feature, priority_support": "p, pro, feature, projects"},
            "policy grants feature 'projects', which catalog.toml lacks",
        ),
        (
            {"p, pro, feature, priority_support": ""},
            "feature 'priority_support' is granted to no plan",
        ),
        (
            {
                "g, pro, free": "",
                "p, pro, feature, github_import": "p, free, feature, github_import",
            },
            "plan 'pro' lacks feature 'github_import' that 'free' has",
        ),
    ],
    ids=["plan-without-role", "unknown-feature", "feature-of-no-plan", "upgrade-loses-a-feature"],
)
def test_a_policy_that_disagrees_with_the_catalog_stops_the_start(
    tmp_path: Path, edit: dict[str, str], complaint: str
) -> None:
    policy_dir = copy_of_policies(tmp_path, edit=edit)

    with pytest.raises(ConfigurationError, match=complaint):
        authorizer_of(policy_dir)


@pytest.mark.parametrize("policy_dir", [POLICIES, TIERS], ids=["default", "workspace-tiers"])
def test_every_shipped_policy_agrees_with_its_catalog(policy_dir: Path) -> None:
    authorizer = authorizer_of(policy_dir)

    assert authorizer.plans == tuple(p.code for p in load_catalog(policy_dir).plans)
