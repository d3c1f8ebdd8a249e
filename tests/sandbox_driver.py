"""Driving the running sandbox like a customer and like time: checkout, clock, charges, webhooks."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


@dataclass
class SandboxDriver:
    http: httpx.AsyncClient
    auth: tuple[str, str]
    # Until the service has applied what it acknowledged: the service applies webhooks after
    # answering them, so "delivered" alone does not mean "landed".
    applied: Callable[[], Awaitable[None]] | None = None

    @classmethod
    def for_data_dir(
        cls,
        http: httpx.AsyncClient,
        data_dir: Path,
        *,
        applied: Callable[[], Awaitable[None]] | None = None,
    ) -> SandboxDriver:
        credentials = json.loads((data_dir / "sandbox" / "credentials.json").read_text())
        return cls(http, (credentials["key_id"], credentials["key_secret"]), applied)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(f"/sandbox{path}", json=body, auth=self.auth)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def pay(
        self, subscription_id: str, *, fail: str | None = None, **payer: Any
    ) -> dict[str, Any]:
        """Checkout completed by the customer; returns what Checkout's handler receives.
        `payer`: the sandbox's checkout fields, e.g. `method="upi"`, `international=True`."""
        outcome = {"outcome": "fail", "reason": fail} if fail else {"outcome": "success"}
        return await self._post(
            "/control/checkout", {"subscription_id": subscription_id, **outcome, **payer}
        )

    async def advance(self, *, days: int = 0, hours: int = 0) -> dict[str, Any]:
        moved = await self._post("/control/clock/advance", {"days": days, "hours": hours})
        await self.drain()
        return moved

    async def advance_seconds(self, seconds: int) -> dict[str, Any]:
        moved = await self._post("/control/clock/advance", {"seconds": seconds})
        await self.drain()
        return moved

    async def advance_past_next_charge(
        self, subscription_id: str, *, hours: int = 1
    ) -> dict[str, Any]:
        """Move the clock to just after the subscription's next charge (Razorpay's boundaries
        fall on IST midnights, so a fixed number of days lands on either side of them)."""
        charge_at = (await self.subscription(subscription_id))["charge_at"]
        assert charge_at is not None, "nothing is due on this subscription"
        clock = (await self.http.get("/sandbox/control/clock", auth=self.auth)).json()
        seconds = charge_at - clock["now"] + hours * 3600
        moved = await self._post("/control/clock/advance", {"seconds": max(seconds, 1)})
        await self.drain()
        return moved

    async def next_charge(
        self, subscription_id: str, *, fail: str | None = None, count: int = 1
    ) -> None:
        outcome = {"outcome": "fail", "reason": fail} if fail else {"outcome": "success"}
        await self._post(
            f"/control/subscriptions/{subscription_id}/next-charge", {**outcome, "count": count}
        )

    async def knobs(self, **knobs: Any) -> None:
        """Set the delivery knobs; those not named go back to plain delivery (which sends, oldest
        first, whatever `hold=True` was keeping)."""
        plain = {
            "duplicate": False,
            "delay": 0.0,
            "reorder": False,
            "fail_first": False,
            "hold": False,
            "drop": False,
        }
        await self._post("/control/webhooks/knobs", {**plain, **knobs})

    async def fail_next(
        self,
        method: str,
        path: str,
        *,
        count: int = 1,
        status: int = 500,
        description: str | None = None,
    ) -> None:
        """The next `count` calls to this REST endpoint (`/v1/...`) fail as Razorpay's would,
        doing nothing: a 5xx is Razorpay unavailable, a 4xx a refusal with `description`."""
        fault = {"method": method, "path": path, "count": count, "status": status}
        await self._post("/control/faults", {**fault, "description": description})

    async def clear_faults(self) -> None:
        response = await self.http.delete("/sandbox/control/faults", auth=self.auth)
        assert response.status_code == 200, response.text

    async def pay_order(
        self, order_id: str, *, amount: int | None = None, fail: str | None = None
    ) -> dict[str, Any]:
        """An order paid (or failed) at Checkout; `amount` plays a tampered integration."""
        outcome = {"outcome": "fail", "reason": fail} if fail else {"outcome": "success"}
        extra = {} if amount is None else {"amount": amount}
        return await self._post("/control/checkout", {"order_id": order_id, **outcome, **extra})

    async def hold_refunds(self, hold: bool = True) -> None:
        """Refunds asked for from now on stay `pending` at Razorpay until `end_refund`."""
        await self._post("/control/refunds/hold", {"hold": hold})

    async def end_refund(self, refund_id: str, *, fail: bool) -> dict[str, Any]:
        """Razorpay ends a pending refund: `failed` (the money stays with us) or `processed`."""
        return await self._post(f"/control/refunds/{refund_id}/{'fail' if fail else 'process'}", {})

    async def drop(self) -> None:
        """From now on webhooks are accepted and never delivered: the service misses them."""
        await self.knobs(drop=True)

    async def hold(self) -> None:
        """From now on webhooks wait at the sandbox until released: nothing arrives meanwhile."""
        await self.knobs(hold=True)

    async def release(self, *events: str, newest_first: bool = False) -> list[str]:
        """Send held webhooks, the named events in that order (each must be held) or else all of
        them, and wait until they have arrived; returns the events released, in order."""
        body: dict[str, Any] = {"newest_first": newest_first}
        if events:
            body["events"] = list(events)
        released = await self._post("/control/webhooks/release", body)
        await self.drain()
        return [item["event"] for item in released["released"]]

    async def drain(self) -> None:
        """Until every webhook sent is delivered, and applied by the service."""
        drained = await self._post("/control/webhooks/drain", {"timeout": 30})
        assert drained["drained"], drained
        if self.applied is not None:
            await self.applied()

    async def subscription(self, subscription_id: str) -> dict[str, Any]:
        response = await self.http.get(
            f"/sandbox/v1/subscriptions/{subscription_id}", auth=self.auth
        )
        found: dict[str, Any] = response.json()
        return found

    async def subscriptions(self, *, notes_user_id: str) -> list[dict[str, Any]]:
        """Every subscription at the sandbox created for this user (newest 100 looked at)."""
        response = await self.http.get(
            "/sandbox/v1/subscriptions", params={"count": 100}, auth=self.auth
        )
        items: list[dict[str, Any]] = response.json()["items"]
        return [
            s
            for s in items
            if isinstance(s["notes"], dict) and s["notes"].get("user_id") == notes_user_id
        ]

    async def customer(self, *, email: str) -> dict[str, Any]:
        """The customer Razorpay holds for this email (newest 100 looked at)."""
        response = await self.http.get(
            "/sandbox/v1/customers", params={"count": 100}, auth=self.auth
        )
        [found] = [c for c in response.json()["items"] if c["email"] == email]
        customer: dict[str, Any] = found
        return customer

    async def now(self) -> int:
        """The sandbox clock, in Unix seconds."""
        clock = (await self.http.get("/sandbox/control/clock", auth=self.auth)).json()
        now: int = clock["now"]
        return now

    async def moved(self) -> float:
        """How far, in seconds, the sandbox clock has been moved ahead of real time."""
        clock = (await self.http.get("/sandbox/control/clock", auth=self.auth)).json()
        offset: float = clock["offset_seconds"]
        return offset

    async def stop_charging(self, *, created_since: int) -> None:
        """Cancel every subscription created since then that could still charge or expire, so a
        later test that moves the clock does not pay for this one's subscriptions."""
        page: list[dict[str, Any]] = []
        for skip in range(0, 10_000, 100):
            params = {"from": created_since, "count": 100, "skip": skip}
            response = await self.http.get(
                "/sandbox/v1/subscriptions", params=params, auth=self.auth
            )
            page = response.json()["items"]
            for subscription in page:
                if subscription["status"] not in ("cancelled", "completed", "expired"):
                    await self._post(f"/v1/subscriptions/{subscription['id']}/cancel", {})
            if len(page) < 100:
                break
        await self.drain()

    async def dashboard_refund(self, payment_id: str, *, amount: int) -> dict[str, Any]:
        """A refund made in Razorpay's Dashboard: at Razorpay, not through the service."""
        return await self._post(f"/v1/payments/{payment_id}/refund", {"amount": amount})

    async def dashboard_cancel(self, subscription_id: str) -> dict[str, Any]:
        """A cancellation (at once) made in Razorpay's Dashboard."""
        return await self._post(f"/v1/subscriptions/{subscription_id}/cancel", {})

    async def invoices(self, subscription_id: str) -> list[dict[str, Any]]:
        """The subscription's invoices at the sandbox, newest first."""
        response = await self.http.get(
            "/sandbox/v1/invoices", params={"subscription_id": subscription_id}, auth=self.auth
        )
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def payments_of(self, subscription_id: str) -> dict[str, list[int]]:
        """The payment id of each of the subscription's paid invoices → its refunds' amounts."""
        invoices = await self.http.get(
            "/sandbox/v1/invoices", params={"subscription_id": subscription_id}, auth=self.auth
        )
        found: dict[str, list[int]] = {}
        for invoice in invoices.json()["items"]:
            if invoice["payment_id"]:
                refunds = await self.http.get(
                    f"/sandbox/v1/payments/{invoice['payment_id']}/refunds", auth=self.auth
                )
                found[invoice["payment_id"]] = [r["amount"] for r in refunds.json()["items"]]
        return found

    async def deliveries(self) -> list[dict[str, Any]]:
        response = await self.http.get("/sandbox/control/webhooks/deliveries", auth=self.auth)
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def fingerprint(self) -> dict[str, Any]:
        """What Razorpay holds that a call could have changed: the newest subscriptions with
        their state, the newest refunds, and how many webhooks were sent."""
        await self.drain()
        subscriptions = await self.http.get(
            "/sandbox/v1/subscriptions", params={"count": 100}, auth=self.auth
        )
        refunds = await self.http.get("/sandbox/v1/refunds", params={"count": 100}, auth=self.auth)
        return {
            "subscriptions": [
                (s["id"], s["status"], s["paid_count"]) for s in subscriptions.json()["items"]
            ],
            "refunds": [(r["id"], r["amount"]) for r in refunds.json()["items"]],
            "webhooks": len(await self.deliveries()),
        }
