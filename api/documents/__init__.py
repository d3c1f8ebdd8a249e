"""Beanie documents, one module per collection; `DOCUMENTS` is what init_beanie receives."""

from __future__ import annotations

from beanie import Document

from api.documents.accounts import BillingAccount
from api.documents.credits import BuyRequest, CreditCause, CreditEntry, CreditPurchase
from api.documents.events import AccessChange, WebhookClaim, WebhookEvent
from api.documents.grants import GrantEntry, GrantEntryKind, LiveGrant
from api.documents.imports import GithubImport
from api.documents.payments import Payment, Refund, RefundRequest
from api.documents.plan_changes import PlanChange, TrialClaim
from api.documents.rate_slots import RateSlot
from api.documents.razorpay_plans import RazorpayPlanLink
from api.documents.reconciliations import ReconciliationRun
from api.documents.refund_requests import RefundDecision, UserRefundRequest
from api.documents.subscriptions import Subscription, SubscriptionObservation, UpgradeClaim
from api.documents.usage import UsageEntry, UsageKey
from api.documents.users import User

DOCUMENTS: list[type[Document]] = [
    User,
    BillingAccount,
    Subscription,
    SubscriptionObservation,
    UpgradeClaim,
    Payment,
    Refund,
    RefundRequest,
    UserRefundRequest,
    RefundDecision,
    WebhookEvent,
    WebhookClaim,
    AccessChange,
    GithubImport,
    PlanChange,
    TrialClaim,
    RateSlot,
    ReconciliationRun,
    RazorpayPlanLink,
    UsageEntry,
    UsageKey,
    CreditPurchase,
    BuyRequest,
    CreditEntry,
    CreditCause,
    GrantEntry,
]

__all__ = [
    "DOCUMENTS",
    "AccessChange",
    "BillingAccount",
    "BuyRequest",
    "CreditCause",
    "CreditEntry",
    "CreditPurchase",
    "GithubImport",
    "GrantEntry",
    "GrantEntryKind",
    "LiveGrant",
    "Payment",
    "PlanChange",
    "RateSlot",
    "RazorpayPlanLink",
    "ReconciliationRun",
    "Refund",
    "RefundDecision",
    "RefundRequest",
    "Subscription",
    "SubscriptionObservation",
    "TrialClaim",
    "UpgradeClaim",
    "UsageEntry",
    "UsageKey",
    "User",
    "UserRefundRequest",
    "WebhookClaim",
    "WebhookEvent",
]
