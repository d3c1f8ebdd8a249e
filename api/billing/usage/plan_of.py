"""The catalog plan a user's limits come from: the plan of their live grant, else the default.

Until subscriptions record the plan they sell, a live grant is Pro, the one plan on sale.
"""

from __future__ import annotations

from api.billing.catalog import PlanCode
from api.billing.entitlements import Access
from api.catalog.model import Catalog, Plan


def plan_of(catalog: Catalog, access: Access) -> Plan:
    if access.plan is PlanCode.PRO:
        return catalog.plan(PlanCode.PRO.value) or catalog.default_plan
    return catalog.default_plan
