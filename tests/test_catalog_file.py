"""The catalog file: both shipped catalogs load, and a bad one names its problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.catalog.load import load_catalog, parse_catalog
from api.catalog.model import UNLIMITED, Period
from api.settings import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "policies"
TIERS = ROOT / "examples" / "catalogs" / "workspace-tiers"


def test_the_default_catalog_is_the_pro_brief() -> None:
    catalog = load_catalog(DEFAULT)

    assert [p.code for p in catalog.plans] == ["free", "pro"]
    pro = catalog.plan("pro")
    assert pro is not None and pro.price(Period.MONTHLY) is not None
    assert pro.prices[0].amount == 10_000
    assert catalog.default_plan.limit("chats") == 20
    assert pro.limit("chats") is UNLIMITED
    assert [p.credits for p in catalog.packs] == [10, 50, 100]


def test_the_tier_catalog_sells_four_tiers_monthly_and_yearly() -> None:
    catalog = load_catalog(TIERS)

    assert [p.code for p in catalog.plans] == ["free", "pro", "teams", "business"]
    assert all({x.period for x in p.prices} == set(Period) for p in catalog.plans[1:])
    assert [p.limit("projects") for p in catalog.plans] == [1, 5, 20, UNLIMITED]
    assert [p.levels["ai_level"] for p in catalog.plans] == ["db", "db_tables", "full", "full"]
    lifting = catalog.cheapest_lifting("projects", 2)
    assert lifting is not None and lifting.code == "pro"


def test_a_bad_catalog_names_every_problem() -> None:
    raw = {
        "bogus": 1,
        "limits": {
            "chats": {"name": "Chats", "kind": "per_period"},
            "projects": {"name": "Projects", "kind": "count"},
        },
        "plans": [
            {"code": "free", "name": "Free", "limits": {"projects": 1}},
            {"code": "pro", "name": "Pro", "prices": [{"period": "weekly", "amount": 50}]},
        ],
    }

    with pytest.raises(ConfigurationError) as raised:
        parse_catalog(raw, source="catalog.toml")

    message = str(raised.value)
    for expected in (
        "bogus: unknown key",
        "limits.chats.reset: must be one of day, month",
        "plans.pro.prices[0].period",
        "plans.pro.prices[0].amount",
        "plans.pro.limits.projects: missing",
    ):
        assert expected in message


def test_a_higher_plan_may_not_allow_less() -> None:
    raw = {
        "limits": {"projects": {"name": "Projects", "kind": "count"}},
        "plans": [
            {"code": "free", "name": "Free", "limits": {"projects": 3}},
            {
                "code": "pro",
                "name": "Pro",
                "prices": [{"period": "monthly", "amount": 10000}],
                "limits": {"projects": 2},
            },
        ],
    }

    with pytest.raises(ConfigurationError, match=r"plans\.pro\.limits\.projects: below free's"):
        parse_catalog(raw, source="catalog.toml")


def test_a_missing_catalog_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"missing catalog\.toml"):
        load_catalog(tmp_path)
