"""Subscription events. Every handler is safe to run twice, late or out of order."""

from __future__ import annotations

from beanie import PydanticObjectId
from bson.errors import InvalidId
from pymongo.errors import DuplicateKeyError

from api.billing.attribution import Owner
from api.billing.deps import Billing
from api.billing.events.inbox import Envelope, Handled, Outcome
from api.billing.payments import record_payment
from api.billing.plan_change.finish import after_observing
from api.billing.plan_change.settle import apply_taken
from api.billing.subscription import store
from api.catalog.model import Period
from api.documents import Subscription, User
from api.gateway.entities import RazorpaySubscription, parse_payment, parse_subscription


async def on_subscription_event(billing: Billing, envelope: Envelope) -> Handled:
    data = envelope.entity("subscription")
    if data is None:
        return Handled(Outcome.IGNORED, "no subscription in the payload")
    snapshot = parse_subscription(data)
    subscription = await _subscription_for(billing, snapshot)
    if subscription is None:
        return Handled(Outcome.IGNORED, "not a subscription of this service")
    payment = envelope.entity("payment")
    if payment is not None:
        owner = Owner.of(subscription)
        await record_payment(billing, parse_payment(payment), owner, source=envelope.source)
    observed = await store.observe(
        billing,
        snapshot,
        id=envelope.source,
        event=envelope.event,
        observed_at=envelope.created_at,
        source=envelope.source,
    )
    # A plan change scheduled for the cycle end shows as the snapshot's new plan.
    await apply_taken(billing, snapshot.id, snapshot.plan_id)
    # The new subscription of a plan change, paid: the old one ends, the unused time refunded.
    await after_observing(billing, snapshot.id)
    if not observed.changed:
        return Handled(Outcome.STALE, "older than what is already known, and changes nothing")
    return Handled(Outcome.PROCESSED)


async def _subscription_for(
    billing: Billing, snapshot: RazorpaySubscription
) -> Subscription | None:
    """Ours by id; or, if the upgrade that created it died before storing it, by its notes."""
    found = await Subscription.find_one(Subscription.razorpay_subscription_id == snapshot.id)
    if found is not None:
        return found
    user = await _user(snapshot.notes.get("user_id"))
    plan = billing.catalog.plan(snapshot.notes.get("plan_code", ""))
    if user is None or user.id is None or plan is None or not plan.sold:
        return None
    now = billing.now()
    adopted = Subscription(
        user_id=user.id,
        razorpay_subscription_id=snapshot.id,
        razorpay_plan_id=snapshot.plan_id,
        plan_code=plan.code,
        period=_period(snapshot.notes.get("period")),
        created_at=snapshot.created_at or now,
        updated_at=now,
    )
    try:
        await adopted.insert()
    except DuplicateKeyError:
        return await Subscription.find_one(Subscription.razorpay_subscription_id == snapshot.id)
    return adopted


def _period(noted: str | None) -> Period:
    # Subscriptions created before the period was noted were all monthly.
    return Period(noted) if noted in {p.value for p in Period} else Period.MONTHLY


async def _user(user_id: str | None) -> User | None:
    try:
        return await User.get(PydanticObjectId(user_id)) if user_id else None
    except InvalidId:
        return None
