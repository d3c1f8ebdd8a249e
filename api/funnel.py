"""The upgrade funnel the web app reports (pricing opened, a plan or pack chosen, checkout opened,
paid, failed, dismissed), checked before it is counted.

A label's value must stay bounded whatever a caller sends: a plan or pack is counted only if the
catalog (`catalog.toml` in POLICY_DIR) names it, and the catalog is read once per directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

from api.catalog.load import load_catalog


class FunnelEvent(Enum):
    PRICING_OPENED = "pricing_opened"
    PLAN_SELECTED = "plan_selected"
    PACK_SELECTED = "pack_selected"
    CHECKOUT_OPENED = "checkout_opened"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    CHECKOUT_DISMISSED = "checkout_dismissed"


NONE = "none"  # the label of an event about no plan or pack (pricing opened)


@dataclass(frozen=True)
class FunnelStep:
    event: FunnelEvent
    plan: str  # a catalog plan code, or NONE
    pack: str  # a catalog pack code, or NONE


class FunnelRefused(ValueError):
    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


@dataclass(frozen=True)
class FunnelLabels:
    plans: frozenset[str]
    packs: frozenset[str]

    def step(self, event: FunnelEvent, plan: str | None, pack: str | None) -> FunnelStep:
        """What to count, or FunnelRefused naming the argument at fault."""
        if plan is not None and pack is not None:
            raise FunnelRefused("Name a plan or a pack, not both.", "pack")
        if plan is not None and plan not in self.plans:
            raise FunnelRefused("`plan` is not a plan of the catalog.", "plan")
        if pack is not None and pack not in self.packs:
            raise FunnelRefused("`pack` is not a pack of the catalog.", "pack")
        if event is FunnelEvent.PLAN_SELECTED and plan is None:
            raise FunnelRefused("PLAN_SELECTED needs the `plan`.", "plan")
        if event is FunnelEvent.PACK_SELECTED and pack is None:
            raise FunnelRefused("PACK_SELECTED needs the `pack`.", "pack")
        return FunnelStep(event, plan or NONE, pack or NONE)


@cache
def funnel_labels(policy_dir: Path) -> FunnelLabels:
    catalog = load_catalog(policy_dir)
    return FunnelLabels(
        plans=frozenset(p.code for p in catalog.plans),
        packs=frozenset(p.code for p in catalog.packs),
    )
