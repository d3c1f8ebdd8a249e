"""Test-mode controls outside `/v1` (Basic auth with the sandbox keys): checkout, the clock,
next-charge outcomes, webhook knobs, the delivery log, drain and reset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import UTC, datetime
from functools import partial
from typing import Any

from starlette.routing import Route

from razorpay_sandbox import actions, checkout, scheduler
from razorpay_sandbox import validation as v
from razorpay_sandbox.core import Core
from razorpay_sandbox.errors import invalid
from razorpay_sandbox.http import Call, Handler, endpoint
from razorpay_sandbox.webhooks import Dispatcher, Knobs

Entity = dict[str, Any]
UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}
MAX_DRAIN = 60.0
DispatcherHandler = Callable[[Dispatcher, Call], Any]


def clock_now(call: Call) -> Entity:
    now = call.core.clock.now()
    return {
        "now": int(now.timestamp()),
        "iso": now.isoformat(),
        "offset_seconds": call.core.clock.offset.total_seconds(),
    }


def advance(call: Call) -> Entity:
    v.only(call.body, UNITS)
    seconds = sum(
        (v.integer(call.body, unit, default=0) or 0) * size for unit, size in UNITS.items()
    )
    if seconds <= 0:
        raise invalid("Give a positive number of seconds, minutes, hours or days.", "seconds")
    started = call.core.now()
    happened = scheduler.advance(call.core, seconds)
    return {"from": started, "to": call.core.now(), "happened": happened, **clock_now(call)}


def next_charge(call: Call) -> Entity:
    return actions.set_next_charge(call.core, call.entity("subscription"), call.body)


def charge_now(call: Call) -> Entity:
    return actions.charge_now(call.core, call.entity("subscription"), call.body)


def show_knobs(dispatcher: Dispatcher, call: Call) -> Entity:
    return asdict(dispatcher.knobs)


def change_knobs(dispatcher: Dispatcher, call: Call) -> Entity:
    v.only(call.body, [knob.name for knob in fields(Knobs)])
    values = {**asdict(dispatcher.knobs), **call.body}
    delay = values["delay"]
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise invalid("The delay must be a number of seconds, at least 0.", "delay")
    dispatcher.knobs = Knobs(
        duplicate=v.flag(values, "duplicate", default=False),
        delay=float(delay),
        reorder=v.flag(values, "reorder", default=False),
        fail_first=v.flag(values, "fail_first", default=False),
    )
    return asdict(dispatcher.knobs)


def deliveries(dispatcher: Dispatcher, call: Call) -> Entity:
    items = [delivery.describe() for delivery in dispatcher.log]
    return {"entity": "collection", "count": len(items), "items": items}


async def drain(dispatcher: Dispatcher, call: Call) -> Entity:
    within = call.body.get("timeout", 10)
    if isinstance(within, bool) or not isinstance(within, int | float):
        raise invalid("The timeout must be a number of seconds.", "timeout")
    drained = await dispatcher.drain(min(float(within), MAX_DRAIN))
    return {"drained": drained, "pending": len(dispatcher.pending())}


def reset(dispatcher: Dispatcher, call: Call) -> Entity:
    call.core.store.reset()
    dispatcher.reset()
    return {"reset": True, "at": datetime.now(UTC).isoformat()}


def knob_routes(core: Core, dispatcher: Dispatcher) -> list[Route]:
    def route(path: str, handler: DispatcherHandler, method: str) -> Route:
        return Route(path, endpoint(core, partial(handler, dispatcher)), methods=[method])

    return [
        route("/control/webhooks/knobs", show_knobs, "GET"),
        route("/control/webhooks/knobs", change_knobs, "POST"),
        route("/control/webhooks/deliveries", deliveries, "GET"),
        route("/control/webhooks/drain", drain, "POST"),
        route("/control/reset", reset, "POST"),
    ]


def routes(core: Core, dispatcher: Dispatcher) -> list[Route]:
    def route(path: str, handler: Handler, method: str) -> Route:
        return Route(path, endpoint(core, handler), methods=[method])

    return [
        route("/control/checkout", lambda call: checkout.pay(call.core, call.body), "POST"),
        route("/control/clock", clock_now, "GET"),
        route("/control/clock/advance", advance, "POST"),
        route("/control/subscriptions/{id}/next-charge", next_charge, "POST"),
        route("/control/subscriptions/{id}/charge", charge_now, "POST"),
        *knob_routes(core, dispatcher),
    ]
