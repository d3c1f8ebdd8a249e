"""`RazorpayGateway`: the async face of the Razorpay SDK that the billing domain calls.

Reads are retried; refund creation is retried under its idempotency header; every other write is
sent once, and on `GatewayUnavailable` with `maybe_applied` the caller must reconcile by fetching.
`reading_within(seconds)` is a view for a caller with a deadline: one short attempt per read.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, Self, TypeVar

import requests

from api.gateway import entities as e
from api.gateway.breaker import BreakerState
from api.gateway.coerce import MalformedEntity, items
from api.gateway.config import GatewaySettings
from api.gateway.errors import GatewayMalformedEntity, GatewayNotFound
from api.gateway.signatures import (
    verify_order_checkout,
    verify_subscription_checkout,
    verify_webhook,
)
from api.gateway.transport import SdkCaller, build_sdk_client, build_session

PlanPeriod = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]
RefundSpeed = Literal["normal", "optimum"]
ScheduleChangeAt = Literal["now", "cycle_end"]
Entity = TypeVar("Entity")

# Ids go into URL paths: anything else could address a different endpoint with our keys.
_ID = re.compile(r"[A-Za-z0-9_]{1,64}")
_REFUND_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{10,}")
MAX_PAGE = 100


class RazorpayGateway:
    def __init__(
        self,
        settings: GatewaySettings,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key_secret = settings.key_secret
        self._session = session or build_session(settings.max_concurrency)
        self._sdk = build_sdk_client(settings, self._session)
        self._calls = SdkCaller(settings, clock=clock)

    def reading_within(self, seconds: float) -> RazorpayGateway:
        """This gateway (same connections, threads, breaker) whose reads are each one attempt
        cut at `seconds` and abandoned when the caller is cancelled; writes are unchanged."""
        view = copy.copy(self)
        view._calls = self._calls.reading_within(seconds)
        return view

    @property
    def breaker_state(self) -> BreakerState:
        return self._calls.breaker.state

    def close(self) -> None:
        self._session.close()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # Plans ------------------------------------------------------------------------------------

    async def create_plan(
        self,
        name: str,
        amount_paise: int,
        currency: str = "INR",
        period: PlanPeriod = "monthly",
        interval: int = 1,
        notes: Mapping[str, str] | None = None,
    ) -> e.RazorpayPlan:
        item = {"name": name, "amount": amount_paise, "currency": currency}
        body = {"period": period, "interval": interval, "item": item, "notes": dict(notes or {})}
        return _parsed(e.parse_plan, await self._calls.write(self._sdk.plan.create, body))

    async def fetch_plan(self, plan_id: str) -> e.RazorpayPlan:
        data = await self._calls.read(self._sdk.plan.fetch, _path_id(plan_id), {})
        return _parsed(e.parse_plan, data)

    async def list_plans(self, count: int = 10, skip: int = 0) -> list[e.RazorpayPlan]:
        page = await self._calls.read(self._sdk.plan.all, _page(count, skip))
        return _parsed_items(e.parse_plan, page)

    # Customers --------------------------------------------------------------------------------

    async def create_customer(
        self,
        name: str,
        email: str,
        notes: Mapping[str, str] | None = None,
        *,
        fail_existing: bool = False,
    ) -> e.RazorpayCustomer:
        # Razorpay reads fail_existing as the string "0"/"1"; "0" returns the existing customer.
        body = {
            "name": name,
            "email": email,
            "notes": dict(notes or {}),
            "fail_existing": "1" if fail_existing else "0",
        }
        return _parsed(e.parse_customer, await self._calls.write(self._sdk.customer.create, body))

    async def fetch_customer(self, customer_id: str) -> e.RazorpayCustomer:
        data = await self._calls.read(self._sdk.customer.fetch, _path_id(customer_id), {})
        return _parsed(e.parse_customer, data)

    # Subscriptions ----------------------------------------------------------------------------

    async def create_subscription(
        self,
        plan_id: str,
        total_count: int,
        customer_id: str | None = None,
        notes: Mapping[str, str] | None = None,
        *,
        customer_notify: bool = True,
        start_at: int | None = None,
    ) -> e.RazorpaySubscription:
        """`start_at` (Unix seconds, future): the mandate is authenticated at Checkout and the
        first charge falls then (FACTS §3), as for a trial."""
        body: dict[str, object] = {
            "plan_id": plan_id,
            "total_count": total_count,
            "notes": dict(notes or {}),
            "customer_notify": customer_notify,
        }
        if start_at is not None:
            body["start_at"] = start_at
        if customer_id is not None:
            # Not a documented create parameter (FACTS §2.3); sent only when asked for.
            body["customer_id"] = customer_id
        data = await self._calls.write(self._sdk.subscription.create, body)
        return _parsed(e.parse_subscription, data)

    async def fetch_subscription(self, subscription_id: str) -> e.RazorpaySubscription:
        data = await self._calls.read(self._sdk.subscription.fetch, _path_id(subscription_id), {})
        return _parsed(e.parse_subscription, data)

    async def cancel_subscription(
        self, subscription_id: str, *, at_cycle_end: bool = False
    ) -> e.RazorpaySubscription:
        body = {"cancel_at_cycle_end": at_cycle_end}
        cancel = self._sdk.subscription.cancel
        data = await self._calls.write(cancel, _path_id(subscription_id), body)
        return _parsed(e.parse_subscription, data)

    async def update_subscription(
        self,
        subscription_id: str,
        *,
        plan_id: str,
        schedule_change_at: ScheduleChangeAt,
        customer_notify: bool = True,
    ) -> e.RazorpaySubscription:
        """PATCH: `now` settles the prorated difference at once (a failed charge is
        `UpdateChargeFailed`, nothing changed); `cycle_end` schedules it. UPI, eMandate and
        domestic-card subscriptions are `SubscriptionNotUpdatable` (FACTS §2.3)."""
        body = {
            "plan_id": _path_id(plan_id),
            "schedule_change_at": schedule_change_at,
            "customer_notify": customer_notify,
        }
        edit = self._sdk.subscription.edit
        data = await self._calls.write(edit, _path_id(subscription_id), body)
        return _parsed(e.parse_subscription, data)

    async def fetch_scheduled_changes(self, subscription_id: str) -> e.RazorpaySubscription:
        """The subscription as it will be once its scheduled change applies."""
        pending = self._sdk.subscription.pending_update
        data = await self._calls.read(pending, _path_id(subscription_id))
        return _parsed(e.parse_subscription, data)

    async def cancel_scheduled_changes(self, subscription_id: str) -> e.RazorpaySubscription:
        cancel = self._sdk.subscription.cancel_scheduled_changes
        data = await self._calls.write(cancel, _path_id(subscription_id), {})
        return _parsed(e.parse_subscription, data)

    async def fetch_invoice(self, invoice_id: str) -> e.RazorpayInvoice:
        data = await self._calls.read(self._sdk.invoice.fetch, _path_id(invoice_id), {})
        return _parsed(e.parse_invoice, data)

    async def list_subscription_invoices(
        self, subscription_id: str, count: int = MAX_PAGE, skip: int = 0
    ) -> list[e.RazorpayInvoice]:
        params = {"subscription_id": _path_id(subscription_id), **_page(count, skip)}
        page = await self._calls.read(self._sdk.invoice.all, params)
        return _parsed_items(e.parse_invoice, page)

    # Orders (credit packs) --------------------------------------------------------------------

    async def create_order(
        self, *, amount_paise: int, currency: str, receipt: str, notes: Mapping[str, str]
    ) -> e.RazorpayOrder:
        """Sent once: Razorpay has no idempotency key for orders, so a caller that may have lost
        the answer looks the order up by its unique `receipt` (`find_order_by_receipt`)."""
        body = {"amount": amount_paise, "currency": currency, "receipt": receipt, "notes": notes}
        data = await self._calls.write(self._sdk.order.create, dict(body))
        return _parsed(e.parse_order, data)

    async def fetch_order(self, order_id: str) -> e.RazorpayOrder:
        data = await self._calls.read(self._sdk.order.fetch, _path_id(order_id), {})
        return _parsed(e.parse_order, data)

    async def find_order_by_receipt(self, receipt: str) -> e.RazorpayOrder | None:
        page = await self._calls.read(self._sdk.order.all, {"receipt": receipt, "count": 1})
        found = _parsed_items(e.parse_order, page)
        return found[0] if found else None

    # Payments and refunds ---------------------------------------------------------------------

    async def fetch_payment(self, payment_id: str) -> e.RazorpayPayment:
        # Expanded so last4/network arrive in the same call; the parser keeps only those two.
        params = {"expand[]": "card"}
        data = await self._calls.read(self._sdk.payment.fetch, _path_id(payment_id), params)
        return _parsed(e.parse_payment, data)

    async def list_payments(
        self, *, since: int, count: int = MAX_PAGE, skip: int = 0
    ) -> list[e.RazorpayPayment]:
        """Payments created at or after `since` (Unix seconds), newest first, one page."""
        params = {"from": since, **_page(count, skip)}
        page = await self._calls.read(self._sdk.payment.all, params)
        return _parsed_items(e.parse_payment, page)

    async def list_payment_refunds(
        self, payment_id: str, count: int = MAX_PAGE, skip: int = 0
    ) -> list[e.RazorpayRefund]:
        refunds = self._sdk.payment.fetch_multiple_refund
        page = await self._calls.read(refunds, _path_id(payment_id), _page(count, skip))
        return _parsed_items(e.parse_refund, page)

    async def create_refund(
        self,
        payment_id: str,
        *,
        idempotency_key: str,
        amount_paise: int | None = None,
        speed: RefundSpeed = "normal",
        notes: Mapping[str, str] | None = None,
        receipt: str | None = None,
    ) -> e.RazorpayRefund:
        """Refund (all of, when `amount_paise` is None) a captured payment, at most once per key."""
        if not _REFUND_IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise ValueError("a refund idempotency key needs >= 10 chars from [A-Za-z0-9_-]")
        body = _refund_body(amount_paise, speed, notes, receipt)
        headers = {"X-Refund-Idempotency": idempotency_key}
        # The SDK's refund(pid, amount) overload is shadowed: the body must be a dict.
        refund = self._sdk.payment.refund
        data = await self._calls.idempotent_write(
            refund, _path_id(payment_id), body, headers=headers
        )
        return _parsed(e.parse_refund, data)

    async def fetch_refund(self, refund_id: str) -> e.RazorpayRefund:
        data = await self._calls.read(self._sdk.refund.fetch, _path_id(refund_id), {})
        return _parsed(e.parse_refund, data)

    # Signatures (no thread, no network) -------------------------------------------------------

    def verify_subscription_checkout(
        self, payment_id: str, subscription_id: str, signature: str | None
    ) -> bool:
        return verify_subscription_checkout(
            payment_id=payment_id,
            subscription_id=subscription_id,
            signature=signature,
            key_secret=self._key_secret,
        )

    def verify_order_checkout(self, order_id: str, payment_id: str, signature: str | None) -> bool:
        return verify_order_checkout(
            order_id=order_id,
            payment_id=payment_id,
            signature=signature,
            key_secret=self._key_secret,
        )

    @staticmethod
    def verify_webhook(raw_body: bytes, signature: str | None, secret: str | None) -> bool:
        return verify_webhook(raw_body, signature, secret)


def _path_id(value: str) -> str:
    if not _ID.fullmatch(value):
        # Such an id cannot exist at Razorpay; say so without a call.
        raise GatewayNotFound(f"The id provided does not exist: {value[:80]!r}")
    return value


def _page(count: int, skip: int) -> dict[str, int]:
    if not 1 <= count <= MAX_PAGE or skip < 0:
        raise ValueError(f"count must be 1..{MAX_PAGE} and skip >= 0")
    return {"count": count, "skip": skip}


def _refund_body(
    amount_paise: int | None, speed: str, notes: Mapping[str, str] | None, receipt: str | None
) -> dict[str, object]:
    body: dict[str, object] = {"speed": speed, "notes": dict(notes or {})}
    if amount_paise is not None:
        body["amount"] = amount_paise
    if receipt is not None:
        body["receipt"] = receipt
    return body


def _parsed(parser: Callable[[Mapping[str, Any]], Entity], data: Mapping[str, Any]) -> Entity:
    try:
        return parser(data)
    except MalformedEntity as exc:
        # Razorpay did answer 2xx: a write behind this response has taken effect.
        message = f"Razorpay returned an unreadable entity: {exc}"
        raise GatewayMalformedEntity(message, maybe_applied=True) from exc


def _parsed_items(
    parser: Callable[[Mapping[str, Any]], Entity], page: Mapping[str, Any]
) -> list[Entity]:
    try:
        return [parser(item) for item in items(page)]
    except MalformedEntity as exc:
        raise GatewayMalformedEntity(f"Razorpay returned an unreadable page: {exc}") from exc
