"""`catalog.toml` read once at start; a bad catalog stops the start naming every problem.

The file's shape (see `policies/catalog.toml`):
- `currency` (default "INR") for every price and pack that does not name one;
- `[features]`: yes/no features, `code = "Name"`; the policy says which plans include each;
- `[limits.<code>]`: `name`, `kind` (`count` | `per_period`), `reset` (`day` | `month`, only
  for per_period);
- `[levels.<code>]`: `name`, `values` (lowest first);
- `[[plans]]`, lowest first (the order is the upgrade order; the first is the free plan every
  signed-in user has, with no prices): `code`, `name`, `trial_days`, `prices` (`period`
  monthly | yearly, `amount` in paise, `interval`), `limits` (`code = n` or `"unlimited"` for every
  limit), `levels` (`code = value` for every level);
- `[[packs]]`: `code`, `name`, `credits`, `amount` in paise, `validity_days` (optional).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from typing_extensions import TypeIs

from api.catalog.model import (
    UNLIMITED,
    Catalog,
    Feature,
    Level,
    Limit,
    LimitKind,
    Pack,
    Period,
    Plan,
    Price,
    Reset,
)
from api.settings import ConfigurationError

CATALOG_FILE = "catalog.toml"
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MIN_AMOUNT = 100  # Razorpay charges at least ₹1
MAX_AMOUNT = 10**9
TOP_KEYS = frozenset({"currency", "features", "limits", "levels", "plans", "packs"})
Table = Mapping[str, Any]
T = TypeVar("T")
E = TypeVar("E", Period, LimitKind, Reset)


class Problems:
    """Everything wrong with the file, collected so one start names all of it."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.found.append(f"{where}: {what}")


def load_catalog(policy_dir: Path) -> Catalog:
    path = policy_dir / CATALOG_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigurationError(f"POLICY_DIR={policy_dir}: missing {CATALOG_FILE}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"{path}: not valid TOML: {error}") from error
    return parse_catalog(raw, source=str(path))


def parse_catalog(raw: Table, *, source: str) -> Catalog:
    problems = Problems()
    for key in sorted(set(raw) - TOP_KEYS):
        problems.add(key, "unknown key")
    currency = _currency(raw.get("currency", "INR"), "currency", problems)
    features = _features(raw.get("features", {}), problems)
    limits = _named(raw.get("limits", {}), "limits", _limit, problems)
    levels = _named(raw.get("levels", {}), "levels", _level, problems)
    _unique_codes(
        [f.code for f in features] + [x.code for x in limits] + [x.code for x in levels],
        "features, limits and levels",
        problems,
    )
    plans = _plans(raw.get("plans", []), currency, limits, levels, problems)
    packs = _packs(raw.get("packs", []), currency, problems)
    if problems.found:
        raise ConfigurationError(f"{source}: " + "; ".join(problems.found))
    return Catalog(plans, features, limits, levels, packs)


def _features(raw: object, problems: Problems) -> tuple[Feature, ...]:
    if not isinstance(raw, dict):
        problems.add("features", 'must be a table of code = "Name"')
        return ()
    found = []
    for code, name in raw.items():
        if _code(code, f"features.{code}", problems) and _text(name, f"features.{code}", problems):
            found.append(Feature(code, name))
    return tuple(found)


def _named(
    raw: object,
    where: str,
    build: Callable[[str, Table, str, Problems], T | None],
    problems: Problems,
) -> tuple[T, ...]:
    if not isinstance(raw, dict):
        problems.add(where, "must be a table")
        return ()
    found = []
    for code, table in raw.items():
        here = f"{where}.{code}"
        if not _code(code, here, problems):
            continue
        if not isinstance(table, dict):
            problems.add(here, "must be a table")
            continue
        built = build(code, table, here, problems)
        if built is not None:
            found.append(built)
    return tuple(found)


def _limit(code: str, table: Table, where: str, problems: Problems) -> Limit | None:
    _only(table, {"name", "kind", "reset"}, where, problems)
    kind = _choice(table.get("kind"), LimitKind, f"{where}.kind", problems)
    reset = table.get("reset")
    if kind is LimitKind.PER_PERIOD:
        parsed_reset = _choice(reset, Reset, f"{where}.reset", problems)
    else:
        parsed_reset = None
        if reset is not None:
            problems.add(f"{where}.reset", "only a per_period limit resets")
    name = table.get("name")
    if kind is None or not _text(name, f"{where}.name", problems):
        return None
    if kind is LimitKind.PER_PERIOD and parsed_reset is None:
        return None
    return Limit(code, name, kind, parsed_reset)


def _level(code: str, table: Table, where: str, problems: Problems) -> Level | None:
    _only(table, {"name", "values"}, where, problems)
    values = table.get("values")
    name = table.get("name")
    good_values = (
        isinstance(values, list)
        and len(values) >= 2
        and all(isinstance(v, str) and CODE.match(v) for v in values)
        and len(set(values)) == len(values)
    )
    if not good_values:
        problems.add(f"{where}.values", "must list two or more distinct codes, lowest first")
    if not _text(name, f"{where}.name", problems) or not good_values:
        return None
    return Level(code, name, tuple(str(v) for v in values or ()))


def _plans(
    raw: object,
    currency: str,
    limits: tuple[Limit, ...],
    levels: tuple[Level, ...],
    problems: Problems,
) -> tuple[Plan, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add("plans", "must list at least one plan, lowest first")
        return ()
    plans = []
    for rank, table in enumerate(raw):
        plan = _plan(rank, table, currency, limits, levels, problems)
        if plan is not None:
            plans.append(plan)
    _unique_codes([p.code for p in plans], "plans", problems)
    if plans and plans[0].sold:
        problems.add(f"plans.{plans[0].code}", "the first plan is the free one: it has no prices")
    for plan in plans[1:]:
        if not plan.sold:
            problems.add(f"plans.{plan.code}", "every plan but the first needs a price")
    _ordered(plans, limits, levels, problems)
    return tuple(plans)


def _plan(
    rank: int,
    table: object,
    currency: str,
    limits: tuple[Limit, ...],
    levels: tuple[Level, ...],
    problems: Problems,
) -> Plan | None:
    where = f"plans[{rank}]"
    if not isinstance(table, dict):
        problems.add(where, "must be a table")
        return None
    _only(table, {"code", "name", "trial_days", "prices", "limits", "levels"}, where, problems)
    code, name = table.get("code"), table.get("name")
    if not _code(code, f"{where}.code", problems):
        return None
    where = f"plans.{code}"
    trial_days = _count(table.get("trial_days", 0), f"{where}.trial_days", problems, 0, 365)
    prices = _prices(table.get("prices", []), currency, where, problems)
    plan_limits = _plan_limits(table.get("limits", {}), limits, where, problems)
    plan_levels = _plan_levels(table.get("levels", {}), levels, where, problems)
    if not _text(name, f"{where}.name", problems) or trial_days is None:
        return None
    if trial_days and not prices:
        problems.add(f"{where}.trial_days", "a plan that is not sold has no trial")
    return Plan(code, name, rank, prices, trial_days, plan_limits, plan_levels)


def _prices(raw: object, currency: str, where: str, problems: Problems) -> tuple[Price, ...]:
    if not isinstance(raw, list):
        problems.add(f"{where}.prices", "must be a list of { period, amount }")
        return ()
    prices = []
    for index, table in enumerate(raw):
        here = f"{where}.prices[{index}]"
        if not isinstance(table, dict):
            problems.add(here, "must be a table")
            continue
        _only(table, {"period", "amount", "interval", "currency"}, here, problems)
        period = _choice(table.get("period"), Period, f"{here}.period", problems)
        amount = _count(table.get("amount"), f"{here}.amount", problems, MIN_AMOUNT, MAX_AMOUNT)
        interval = _count(table.get("interval", 1), f"{here}.interval", problems, 1, 12)
        own = _currency(table.get("currency", currency), f"{here}.currency", problems)
        if period is not None and amount is not None and interval is not None:
            prices.append(Price(period, interval, amount, own))
    if len({p.period for p in prices}) != len(prices):
        problems.add(f"{where}.prices", "one price per period")
    return tuple(prices)


def _plan_limits(
    raw: object, limits: tuple[Limit, ...], where: str, problems: Problems
) -> dict[str, int | None]:
    given = _values_for(raw, {x.code for x in limits}, f"{where}.limits", problems)
    found: dict[str, int | None] = {}
    for code, value in given.items():
        if value == "unlimited":
            found[code] = UNLIMITED
        else:
            amount = _count(value, f"{where}.limits.{code}", problems, 0, MAX_AMOUNT)
            if amount is not None:
                found[code] = amount
    return found


def _plan_levels(
    raw: object, levels: tuple[Level, ...], where: str, problems: Problems
) -> dict[str, str]:
    given = _values_for(raw, {x.code for x in levels}, f"{where}.levels", problems)
    ladders = {x.code: x for x in levels}
    found = {}
    for code, value in given.items():
        if value in ladders[code].values:
            found[code] = value
        else:
            problems.add(
                f"{where}.levels.{code}", f"{value!r} is not one of {ladders[code].values}"
            )
    return found


def _values_for(raw: object, codes: set[str], where: str, problems: Problems) -> dict[str, Any]:
    """`raw` as a table naming exactly `codes`: each plan says how much of every limit or level."""
    if not isinstance(raw, dict):
        problems.add(where, "must be a table")
        return {}
    for code in sorted(set(raw) - codes):
        problems.add(f"{where}.{code}", "not in the catalog")
    for code in sorted(codes - set(raw)):
        problems.add(f"{where}.{code}", "missing: every plan gives every limit and level")
    return {code: value for code, value in raw.items() if code in codes}


def _ordered(
    plans: list[Plan], limits: tuple[Limit, ...], levels: tuple[Level, ...], problems: Problems
) -> None:
    """Going up never takes anything away: limits and levels never fall from a plan to the next."""
    for lower, upper in itertools.pairwise(plans):
        for limit in limits:
            low, up = lower.limits.get(limit.code, 0), upper.limits.get(limit.code, 0)
            if up is not UNLIMITED and (low is UNLIMITED or up < low):
                problems.add(f"plans.{upper.code}.limits.{limit.code}", f"below {lower.code}'s")
        for level in levels:
            low_value, up_value = lower.levels.get(level.code), upper.levels.get(level.code)
            if low_value and up_value and level.rank(up_value) < level.rank(low_value):
                problems.add(f"plans.{upper.code}.levels.{level.code}", f"below {lower.code}'s")


def _packs(raw: object, currency: str, problems: Problems) -> tuple[Pack, ...]:
    if not isinstance(raw, list):
        problems.add("packs", "must be a list of tables")
        return ()
    packs = [p for index, table in enumerate(raw) if (p := _pack(index, table, currency, problems))]
    _unique_codes([p.code for p in packs], "packs", problems)
    return tuple(packs)


def _pack(index: int, table: object, currency: str, problems: Problems) -> Pack | None:
    where = f"packs[{index}]"
    if not isinstance(table, dict):
        problems.add(where, "must be a table")
        return None
    _only(
        table, {"code", "name", "credits", "amount", "currency", "validity_days"}, where, problems
    )
    code, name = table.get("code"), table.get("name")
    credits = _count(table.get("credits"), f"{where}.credits", problems, 1, MAX_AMOUNT)
    amount = _count(table.get("amount"), f"{where}.amount", problems, MIN_AMOUNT, MAX_AMOUNT)
    own = _currency(table.get("currency", currency), f"{where}.currency", problems)
    raw_validity = table.get("validity_days")
    validity = None
    if raw_validity is not None:
        validity = _count(raw_validity, f"{where}.validity_days", problems, 1, 3650)
    if not _code(code, f"{where}.code", problems):
        return None
    if not _text(name, f"{where}.name", problems) or credits is None or amount is None:
        return None
    return Pack(code, name, credits, amount, own, validity)


def _only(table: Table, allowed: set[str], where: str, problems: Problems) -> None:
    for key in sorted(set(table) - allowed):
        problems.add(f"{where}.{key}", "unknown key")


def _code(value: object, where: str, problems: Problems) -> TypeIs[str]:
    if isinstance(value, str) and CODE.match(value):
        return True
    problems.add(where, "a code is lower-case letters, digits and _, starting with a letter")
    return False


def _text(value: object, where: str, problems: Problems) -> TypeIs[str]:
    if isinstance(value, str) and value.strip() and len(value) <= 80:
        return True
    problems.add(where, "needs a name of 1 to 80 characters")
    return False


def _count(value: object, where: str, problems: Problems, low: int, high: int) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    problems.add(where, f"must be a whole number from {low} to {high}")
    return None


def _currency(value: object, where: str, problems: Problems) -> str:
    if isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value):
        return value
    problems.add(where, "a currency is three capital letters (ISO 4217)")
    return "INR"


def _choice(value: object, kind: type[E], where: str, problems: Problems) -> E | None:
    try:
        return kind(str(value)) if isinstance(value, str) else kind(value)  # type: ignore[arg-type]
    except ValueError:
        problems.add(where, f"must be one of {', '.join(k.value for k in kind)}")
        return None


def _unique_codes(codes: list[str], where: str, problems: Problems) -> None:
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.add(where, f"{code!r} appears more than once")
