"""What a plan allows of a limit or a level, decided from the catalog alone (no usage read).

The usage ledger adds what is used so far; this answers only what no usage can change: a level
the plan does not reach, or a quantity larger than the plan's whole limit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from api.catalog.model import UNLIMITED, Catalog, Level, Limit, Plan, Reset

PER = {Reset.DAY: " a day", Reset.MONTH: " a month", None: ""}


@dataclass(frozen=True)
class Decision:
    """May the caller use `code` (a feature, limit or level of the catalog), and why."""

    code: str
    name: str
    allowed: bool
    reason: str
    required_plan: Plan | None  # the cheapest plan that would allow it; None: none would


def level_decision(catalog: Catalog, plan: Plan, level: Level, value: str) -> Decision:
    """`value` must be one of `level.values` (checked at the edge)."""
    needed = catalog.cheapest_reaching(level.code, value)
    if level.rank(plan.levels[level.code]) >= level.rank(value):
        return Decision(level.code, level.name, True, "included in your plan", needed)
    reason = f"requires {needed.name}" if needed else "not available"
    return Decision(level.code, level.name, False, reason, needed)


def limit_decision(catalog: Catalog, plan: Plan, limit: Limit, quantity: int) -> Decision:
    """Whether `quantity` fits under the plan's whole limit (what is used is not counted here)."""
    amount = plan.limit(limit.code)
    needed = _cheapest_allowing(catalog, limit, quantity)
    if amount is UNLIMITED or quantity <= amount:
        reason = "unlimited" if amount is UNLIMITED else f"up to {amount}{PER[limit.reset]}"
        return Decision(limit.code, limit.name, True, reason, needed)
    reason = f"{plan.name} allows {amount}{PER[limit.reset]}"
    if needed is not None:
        reason += f"; {needed.name} allows more"
    return Decision(limit.code, limit.name, False, reason, needed)


def _cheapest_allowing(catalog: Catalog, limit: Limit, quantity: int) -> Plan | None:
    """The lowest plan, sold or not, whose whole limit holds `quantity`."""
    for plan in catalog.plans:
        amount = plan.limit(limit.code)
        if amount is UNLIMITED or quantity <= amount:
            return plan
    return None


def beta_plan(catalog: Catalog) -> Plan:
    """The top plan as the beta override opens it: every limit unlimited, every level at its
    top rung."""
    top = catalog.plans[-1]
    return replace(
        top,
        limits={x.code: UNLIMITED for x in catalog.limits},
        levels={x.code: x.values[-1] for x in catalog.levels},
    )


def steps_above(catalog: Catalog, plan: Plan, level: Level) -> list[tuple[str, Plan | None]]:
    """The values of `level` above the plan's, each with the cheapest plan reaching it."""
    mine = level.rank(plan.levels[level.code])
    return [(v, catalog.cheapest_reaching(level.code, v)) for v in level.values[mine + 1 :]]
