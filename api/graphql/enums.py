"""The domain's enums as the schema shows them: each exposed once, here, under its GraphQL name.

The schema uses these very classes, not copies, so a member added, renamed or removed in the
domain is one in the schema too (and `schema.graphql`'s test says so). GraphQL values are the
members' names; descriptions are the schema's business, so they are given here, not in the domain.
Import the enums of the schema from this module: it is what registers them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import strawberry
from strawberry.types.enum import has_enum_definition

from api.billing.outcomes import FailureCode
from api.billing.revocation import Unfinished
from api.catalog.model import LimitKind, Period, Reset
from api.documents.plan_changes import ChangePath, ChangeTiming, PlanChangeState
from api.funnel import FunnelEvent
from api.statuses import RefundRequestStatus


def exposed(
    cls: type[Enum],
    *,
    name: str,
    description: str | None = None,
    values: Mapping[Enum, str] | None = None,
) -> None:
    """`cls` as the GraphQL enum `name`, each member described by `values` where given."""
    registered = strawberry.enum(cls, name=name, description=description)
    assert has_enum_definition(registered)
    for value in registered.__strawberry_definition__.values:
        value.description = (values or {}).get(cls[value.name])


exposed(FailureCode, name="FailureCode")
exposed(
    RefundRequestStatus,
    name="RefundRequestStatus",
    values={
        RefundRequestStatus.OPEN: "Waiting for staff to decide.",
        RefundRequestStatus.APPROVED: "Refunded: `refundId` is the refund.",
        RefundRequestStatus.REJECTED: "Not refunded: `note` says why. The user may ask again.",
        RefundRequestStatus.FAILED: "Approved, but Razorpay refused the refund for good:"
        " `failure` says why. Nothing was refunded under it; the user may ask again.",
    },
)
exposed(Period, name="Period", description="How often a price charges.")
exposed(
    ChangeTiming,
    name="ChangeTiming",
    description="NOW: at once, with the prorated difference charged or refunded; CYCLE_END: at"
    " the end of the paid period.",
)
exposed(PlanChangeState, name="PlanChangeState", description="Where a plan change stands.")
exposed(
    ChangePath,
    name="ChangePath",
    description="UPDATE: Razorpay changed the subscription itself; NEW_SUBSCRIPTION: a new"
    " subscription through Checkout replaces it (UPI, eMandate, domestic card; a first purchase).",
)
exposed(LimitKind, name="LimitKind")
exposed(Reset, name="LimitReset", description="When a per-period limit starts again (UTC).")
exposed(
    Unfinished,
    name="RevokeStep",
    description="The part of revoking access (`access: REVOKE_NOW`) not done yet.",
    values={
        Unfinished.REVOKE_ACCESS: "Access was not revoked: the payment is not linked to a"
        " subscription yet.",
        Unfinished.STOP_CHARGING: "Access has ended, but Razorpay did not cancel the"
        " subscription: it may charge again.",
    },
)

exposed(
    FunnelEvent,
    name="FunnelEvent",
    description="A step of the upgrade funnel, as the app saw it.",
    values={
        FunnelEvent.PRICING_OPENED: "The user opened the plans (the upgrade offer).",
        FunnelEvent.PLAN_SELECTED: "The user chose a plan to buy (`plan`).",
        FunnelEvent.PACK_SELECTED: "The user chose a credit pack to buy (`pack`).",
        FunnelEvent.CHECKOUT_OPENED: "Razorpay Checkout opened.",
        FunnelEvent.PAYMENT_SUCCEEDED: "Checkout reported a payment and the API confirmed it.",
        FunnelEvent.PAYMENT_FAILED: "Checkout reported a failed payment attempt.",
        FunnelEvent.CHECKOUT_DISMISSED: "The user closed Checkout without paying.",
    },
)

__all__ = [
    "ChangePath",
    "ChangeTiming",
    "FailureCode",
    "FunnelEvent",
    "LimitKind",
    "Period",
    "PlanChangeState",
    "RefundRequestStatus",
    "Reset",
    "Unfinished",
]
