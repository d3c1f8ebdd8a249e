"""The catalog as the service holds it: plans with their prices, features, limits, levels and packs.

Plain frozen data with lookups; read from `catalog.toml` by `api.catalog.load`. Codes are the
operator's data (lower-case snake case), so they are strings checked against the catalog at the
edge, not Python enums: a catalog file may name any plan or feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Period(StrEnum):
    """How often a price charges, in Razorpay's words (`period` of a plan)."""

    MONTHLY = "monthly"
    YEARLY = "yearly"


class LimitKind(StrEnum):
    COUNT = "count"  # live things at once (projects): recorded and released
    PER_PERIOD = "per_period"  # consumption that resets (chats a day): recorded only

    @property
    def releasable(self) -> bool:
        return self is LimitKind.COUNT


class Reset(StrEnum):
    """When a consumption limit starts again: at 00:00 UTC each day or on the 1st of each month."""

    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class Price:
    period: Period
    interval: int  # every `interval` periods
    amount: int  # paise
    currency: str


@dataclass(frozen=True)
class Feature:
    """A yes/no feature; the policy says which plans include it (`p, <plan>, feature, <code>`)."""

    code: str
    name: str


@dataclass(frozen=True)
class Limit:
    code: str
    name: str
    kind: LimitKind
    reset: Reset | None  # set exactly when kind is PER_PERIOD


@dataclass(frozen=True)
class Level:
    """An ordered ladder (AI level: db < db_tables < full); a plan sits on one rung."""

    code: str
    name: str
    values: tuple[str, ...]  # lowest first

    def rank(self, value: str) -> int:
        return self.values.index(value)


UNLIMITED = None  # a limit value of None means no limit


@dataclass(frozen=True)
class Plan:
    code: str  # also the plan's role in policy.csv
    name: str
    rank: int  # the catalog's order: a higher rank is an upgrade
    prices: tuple[Price, ...]  # empty: not sold (the plan every signed-in user has)
    trial_days: int
    limits: dict[str, int | None] = field(hash=False)  # limit code -> amount, None = unlimited
    levels: dict[str, str] = field(hash=False)  # level code -> value

    @property
    def sold(self) -> bool:
        return bool(self.prices)

    def price(self, period: Period) -> Price | None:
        return next((p for p in self.prices if p.period is period), None)

    def limit(self, code: str) -> int | None:
        return self.limits[code]


@dataclass(frozen=True)
class Pack:
    """Credits sold once through a Razorpay order."""

    code: str
    name: str
    credits: int
    amount: int  # paise
    currency: str
    validity_days: int | None  # None: credits never expire


@dataclass(frozen=True)
class Catalog:
    plans: tuple[Plan, ...]  # by rank, lowest first; the first is the default (free) plan
    features: tuple[Feature, ...]
    limits: tuple[Limit, ...]
    levels: tuple[Level, ...]
    packs: tuple[Pack, ...]

    @property
    def default_plan(self) -> Plan:
        return self.plans[0]

    def plan(self, code: str) -> Plan | None:
        return next((p for p in self.plans if p.code == code), None)

    def feature(self, code: str) -> Feature | None:
        return next((f for f in self.features if f.code == code), None)

    def limit(self, code: str) -> Limit | None:
        return next((x for x in self.limits if x.code == code), None)

    def level(self, code: str) -> Level | None:
        return next((x for x in self.levels if x.code == code), None)

    def pack(self, code: str) -> Pack | None:
        return next((p for p in self.packs if p.code == code), None)

    def above(self, plan: Plan) -> tuple[Plan, ...]:
        """The plans up from `plan`, cheapest first."""
        return tuple(p for p in self.plans if p.rank > plan.rank)

    def cheapest_lifting(self, limit: str, needed: int) -> Plan | None:
        """The lowest-ranked sold plan whose `limit` allows `needed` units; None if none does."""
        for plan in self.plans:
            amount = plan.limit(limit)
            if plan.sold and (amount is UNLIMITED or amount >= needed):
                return plan
        return None

    def cheapest_reaching(self, level: str, value: str) -> Plan | None:
        ladder = self.level(level)
        if ladder is None:
            return None
        wanted = ladder.rank(value)
        return next((p for p in self.plans if ladder.rank(p.levels[level]) >= wanted), None)
