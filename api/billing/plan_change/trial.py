"""One trial per user and one per email address, whoever asks and however often.

A trial is claimed when its subscription is created: an insert of `user:<id>`, then of
`email:<address>`, each under a unique `_id` (an insert into a unique index is atomic on
FerretDB, a conditional update is not). Losing either is TRIAL_USED; a lost email claim gives
back the user claim just taken. Every first purchase (`upgrade`, and `changePlan` through it)
holds an `UpgradeClaim`; the trial is claimed for it, and a checkout cancelled unpaid (a
cancelled change) gives both back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from api.billing.deps import Billing
from api.billing.outcomes import Problem
from api.billing.plan_change import problems
from api.catalog.model import Plan
from api.documents import TrialClaim, UpgradeClaim, User


def claim_ids(user: User) -> list[str]:
    ids = [f"user:{user.id}"]
    if user.email:
        ids.append(f"email:{user.email.strip().lower()}")
    return ids


async def claim(
    billing: Billing, user: User, plan: Plan, purchase: UpgradeClaim
) -> datetime | Problem | None:
    """When the trial ends (None: the plan has none), or TRIAL_USED."""
    if plan.trial_days <= 0:
        return None
    assert user.id is not None and purchase.id is not None
    taken: list[TrialClaim] = []
    for claim_id in claim_ids(user):
        held = TrialClaim(
            id=claim_id, user_id=user.id, purchase_id=purchase.id, created_at=billing.now()
        )
        try:
            await held.insert()
        except DuplicateKeyError:
            for mine in taken:
                await mine.delete()
            return problems.TRIAL_USED
        taken.append(held)
    # Whole seconds: Razorpay's `start_at`, which the first charge and access both follow.
    return (billing.now() + timedelta(days=plan.trial_days)).replace(microsecond=0)


async def give_back(purchase: UpgradeClaim) -> None:
    """The trial of a checkout nobody paid was never used."""
    await TrialClaim.find({"purchase_id": purchase.id}).delete()


async def give_back_unpaid(razorpay_subscription_id: str) -> None:
    """The trial of this subscription, cancelled before anybody paid its Checkout."""
    purchase = await UpgradeClaim.find_one(
        UpgradeClaim.razorpay_subscription_id == razorpay_subscription_id
    )
    if purchase is not None:
        await give_back(purchase)
