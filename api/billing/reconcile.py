"""Reconciliation: reading from Razorpay what webhooks should have told us, and repairing drift.

Webhooks can be missed (a long outage: Razorpay retries for 24 h, then disables the webhook) and
the Dashboard changes things no event of ours asked for. This reads, for every subscription whose
access is live or ended lately, its snapshot, its invoices' payments and their refunds, and
Razorpay's payment list since the last run; whatever differs goes through the same recording
paths as a webhook (`store.record`/`refresh`, `record_payment`, `record_refund`), named
`reconciliation`. Each repair is keyed as a webhook's is (observation ids carry the snapshot's
paid count and status; payments and refunds their Razorpay ids), so a second run stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from api.billing.attribution import Owner, Unowned, owner_of
from api.billing.credits.clawback import REFUNDED_AT_RAZORPAY, follow_refund
from api.billing.deps import Billing
from api.billing.payments import PROGRESS, record_payment, refunded_amount
from api.billing.plan_change.finish import after_observing
from api.billing.refunds import record_refund
from api.billing.subscription import store
from api.billing.subscription.lifecycle import FETCHED
from api.documents import Payment, Refund, Subscription, SubscriptionObservation
from api.gateway.client import MAX_PAGE
from api.gateway.entities import RazorpayPayment, RazorpaySubscription
from api.statuses import PaymentStatus, RefundStatus

SOURCE = "reconciliation"


class Drift(StrEnum):
    PAYMENT_MISSING = "payment_missing"  # Razorpay has a settled payment of ours we lack
    PAYMENT_STATUS = "payment_status"  # ours is behind Razorpay's (failed here, captured there)
    REFUND_MISSING = "refund_missing"
    REFUND_STATUS = "refund_status"  # final at Razorpay, pending here
    SUBSCRIPTION_STATUS = "subscription_status"  # status or paid count differ
    ACCESS = "access"  # the repair moved the user's access
    AMOUNT_FLAGGED = "amount_flagged"  # a payment recorded now whose amount is not the plan's


@dataclass(frozen=True)
class Finding:
    drift: Drift
    subject: str  # the Razorpay id of what differs
    ours: str | None  # what this service had ("-": nothing)
    razorpays: str | None  # what Razorpay says (for ACCESS: what it is now)
    repaired: bool  # False in a dry run, or when the repair was stored already


@dataclass
class Report:
    since: datetime
    dry_run: bool
    subscriptions_checked: int = 0
    payments_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)  # payments looked at already

    @property
    def repaired(self) -> int:
        return sum(finding.repaired for finding in self.findings)

    def found(self, drift: Drift, subject: str, ours: Any, razorpays: Any, repaired: bool) -> None:
        text = [None if v is None else str(v) for v in (ours, razorpays)]
        self.findings.append(Finding(drift, subject, text[0], text[1], repaired))

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "dry_run": self.dry_run,
            "subscriptions_checked": self.subscriptions_checked,
            "payments_checked": self.payments_checked,
            "found": len(self.findings),
            "repaired": self.repaired,
            "findings": [{**f.__dict__, "drift": f.drift.value} for f in self.findings],
        }


async def reconcile(
    billing: Billing, *, since: datetime, recent: timedelta, dry_run: bool = False
) -> Report:
    """Compare with Razorpay and, unless `dry_run`, repair. Raises a `GatewayCallError` when
    Razorpay cannot be read: what was repaired until then stays repaired."""
    report = Report(since=since, dry_run=dry_run)
    for subscription in await _accounts(billing.now() - recent):
        await _subscription(billing, report, subscription)
    await _payment_list(billing, report, since)
    return report


async def _accounts(cutoff: datetime) -> list[Subscription]:
    """Subscriptions with live or recent billing: access now or lately, or created lately."""
    recent = [{"state.access_until": {"$gte": cutoff}}, {"created_at": {"$gte": cutoff}}]
    return await Subscription.find({"$or": recent}).to_list()


async def _subscription(billing: Billing, report: Report, subscription: Subscription) -> None:
    remote = await billing.gateway.fetch_subscription(subscription.razorpay_subscription_id)
    report.subscriptions_checked += 1
    owner = Owner.of(subscription)
    # Payments first, as the webhooks have them: the fold's grant rests on the paid snapshot.
    for payment_id in await _invoice_payments(billing, remote.id):
        await _payment(billing, report, await billing.gateway.fetch_payment(payment_id), owner)
    await _state(billing, report, subscription, remote)
    if not report.dry_run:
        # A plan change whose finishing steps died midway (or whose events were lost).
        await after_observing(billing, remote.id)


async def _invoice_payments(billing: Billing, subscription_id: str) -> list[str]:
    found: list[str] = []
    for skip in range(0, 100 * MAX_PAGE, MAX_PAGE):
        page = await billing.gateway.list_subscription_invoices(subscription_id, skip=skip)
        found += [invoice.payment_id for invoice in page if invoice.payment_id]
        if len(page) < MAX_PAGE:
            break
    return found


async def _state(
    billing: Billing, report: Report, subscription: Subscription, remote: RazorpaySubscription
) -> None:
    ours = subscription.state.razorpay
    if (ours.status, ours.paid_count) == (remote.status, remote.paid_count):
        return
    seen = (f"{ours.status}/{ours.paid_count}", f"{remote.status}/{remote.paid_count}")
    if report.dry_run:
        report.found(Drift.SUBSCRIPTION_STATUS, remote.id, *seen, repaired=False)
        return
    now = billing.now()
    observation = SubscriptionObservation(
        id=f"{SOURCE}:{remote.id}:{remote.paid_count}:{remote.status}",
        razorpay_subscription_id=remote.id,
        event=FETCHED,
        observed_at=now,
        snapshot=store.snapshot_of(remote),
        source=SOURCE,
    )
    stored = await store.record(observation)
    report.found(Drift.SUBSCRIPTION_STATUS, remote.id, *seen, repaired=stored)
    refreshed = await store.refresh(remote.id, grace=billing.grace, now=now)
    before = subscription.state.access_until
    after = refreshed.subscription.state.access_until if refreshed.subscription else before
    if after != before:
        report.found(Drift.ACCESS, remote.id, _at(before), _at(after), repaired=True)


async def _payment(
    billing: Billing, report: Report, remote: RazorpayPayment, owner: Owner | None
) -> None:
    """Record a payment we lack or hold behind Razorpay's status, then its refunds."""
    if remote.id in report._seen or not remote.status.is_settled:
        return
    report._seen.add(remote.id)
    report.payments_checked += 1
    stored = await Payment.get(remote.id)
    drift = _payment_drift(stored, remote)
    if drift is not None:
        found = owner or await owner_of(billing, remote)
        if isinstance(found, Unowned):
            return  # not a payment of this service's
        stored = await _repair_payment(billing, report, drift, stored, remote, found) or stored
    if stored is not None and await _refunds_differ(stored, remote):
        await _refunds(billing, report, stored)


async def _repair_payment(
    billing: Billing,
    report: Report,
    drift: Drift,
    stored: Payment | None,
    remote: RazorpayPayment,
    owner: Owner,
) -> Payment | None:
    recorded = None
    if not report.dry_run:
        recorded = await record_payment(billing, remote, owner, source=SOURCE)
    ours = stored.status if stored else None
    report.found(drift, remote.id, ours, remote.status, repaired=recorded is not None)
    if recorded is not None and recorded.amount_mismatch and stored is None:
        expected = recorded.expected_amount
        report.found(Drift.AMOUNT_FLAGGED, remote.id, expected, remote.amount, repaired=True)
    return recorded


async def _refunds_differ(stored: Payment, remote: RazorpayPayment) -> bool:
    """Razorpay counts more refunded than we hold, or one of ours still waits for its end."""
    if remote.amount_refunded > await refunded_amount(stored.id):
        return True
    pending = Refund.find(Refund.payment_id == stored.id, Refund.status == RefundStatus.PENDING)
    return await pending.count() > 0


def _payment_drift(stored: Payment | None, remote: RazorpayPayment) -> Drift | None:
    if stored is None:
        return Drift.PAYMENT_MISSING
    taken = PaymentStatus.CAPTURED if remote.status.money_taken else remote.status
    if PROGRESS.get(taken, 0) > PROGRESS.get(stored.status, 0):
        return Drift.PAYMENT_STATUS
    return None


async def _refunds(billing: Billing, report: Report, payment: Payment) -> None:
    for refund in await billing.gateway.list_payment_refunds(payment.id):
        stored = await Refund.get(refund.id)
        if stored is None:
            drift = Drift.REFUND_MISSING
        elif refund.status is not None and refund.status.is_final and not stored.status.is_final:
            drift = Drift.REFUND_STATUS
        else:
            continue
        if not report.dry_run:
            recorded = await record_refund(
                refund, payment=payment, reason=None, requested_by=None, now=billing.now()
            )
            # A credit pack's credits follow the refund as its webhooks would have made them.
            actor = recorded.requested_by or REFUNDED_AT_RAZORPAY
            await follow_refund(payment, recorded, actor=actor, now=billing.now())
        ours = stored.status if stored else None
        report.found(drift, refund.id, ours, refund.status, repaired=not report.dry_run)


async def _payment_list(billing: Billing, report: Report, since: datetime) -> None:
    """Razorpay's payments since `since`: catches those of ours no subscription pass saw."""
    start = int(since.timestamp())
    for skip in range(0, 100 * MAX_PAGE, MAX_PAGE):
        page = await billing.gateway.list_payments(since=start, skip=skip)
        for payment in page:
            await _payment(billing, report, payment, owner=None)
        if len(page) < MAX_PAGE:
            return


def _at(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "-"
