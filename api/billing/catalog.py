"""What is for sale. Prices come from here only, never from a client."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Feature(StrEnum):
    PROJECTS = "projects"
    GITHUB_IMPORT = "github_import"


class PlanCode(StrEnum):
    FREE = "free"
    PRO = "pro"


@dataclass(frozen=True)
class FeatureInfo:
    """A feature's name. Which plan includes it is the policy's to say (`api/authz/features.py`)."""

    feature: Feature
    name: str


@dataclass(frozen=True)
class Plan:
    code: PlanCode
    name: str
    amount: int  # paise
    currency: str
    period: str  # Razorpay's plan period
    interval: int
    description: str


FEATURES: tuple[FeatureInfo, ...] = (
    FeatureInfo(Feature.PROJECTS, "Projects"),
    FeatureInfo(Feature.GITHUB_IMPORT, "GitHub import"),
)

PRO = Plan(
    code=PlanCode.PRO,
    name="Pro",
    amount=10_000,
    currency="INR",
    period="monthly",
    interval=1,
    description="Pro, ₹100 a month",
)

# A Razorpay subscription needs a number of cycles; ten years of monthly renewals.
PRO_TOTAL_COUNT = 120


def feature_info(feature: Feature) -> FeatureInfo:
    return next(f for f in FEATURES if f.feature is feature)


def format_money(amount: int, currency: str) -> str:
    symbol = {"INR": "₹"}.get(currency, currency + " ")
    rupees, paise = divmod(amount, 100)
    return f"{symbol}{rupees:,}" + (f".{paise:02d}" if paise else "")
