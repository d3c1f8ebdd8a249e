"""Test-mode controls outside `/v1` (Basic auth with the sandbox keys): checkout, the clock,
next-charge outcomes, REST faults, refunds held pending then processed or failed, webhook
knobs, held deliveries released in a chosen order, the delivery log, drain and reset."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from datetime import UTC, datetime
from functools import partial
from typing import Any

from starlette.routing import Route

from razorpay_sandbox import actions, checkout, refunding, scheduler
from razorpay_sandbox import validation as v
from razorpay_sandbox.core import Core
from razorpay_sandbox.errors import invalid
from razorpay_sandbox.http import Call, Handler, endpoint
from razorpay_sandbox.webhooks import Delivery, Dispatcher, Knobs

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


def faults(call: Call) -> Entity:
    armed = call.core.faults.describe()
    return {"entity": "collection", "count": len(armed), "items": armed}


def arm_fault(call: Call) -> Entity:
    call.core.faults.arm(call.body)
    return faults(call)


def clear_faults(call: Call) -> Entity:
    call.core.faults.clear()
    return faults(call)


def hold_refunds(call: Call) -> Entity:
    v.only(call.body, ["hold"])
    call.core.hold_refunds = v.flag(call.body, "hold", default=True)
    return {"hold": call.core.hold_refunds}


def end_refund(call: Call, *, fail: bool) -> Entity:
    return refunding.settle_held(call.core, call.entity("refund"), fail=fail)


def show_knobs(dispatcher: Dispatcher, call: Call) -> Entity:
    return asdict(dispatcher.knobs)


def change_knobs(dispatcher: Dispatcher, call: Call) -> Entity:
    v.only(call.body, [knob.name for knob in fields(Knobs)])
    values = {**asdict(dispatcher.knobs), **call.body}
    delay = values["delay"]
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise invalid("The delay must be a number of seconds, at least 0.", "delay")
    dispatcher.change_knobs(
        Knobs(
            duplicate=v.flag(values, "duplicate", default=False),
            delay=float(delay),
            reorder=v.flag(values, "reorder", default=False),
            fail_first=v.flag(values, "fail_first", default=False),
            hold=v.flag(values, "hold", default=False),
            drop=v.flag(values, "drop", default=False),
        )
    )
    return asdict(dispatcher.knobs)


def release(dispatcher: Dispatcher, call: Call) -> Entity:
    """Send held deliveries: all of them, or those of the named events, name by name."""
    v.only(call.body, ["events", "newest_first"])
    held = dispatcher.held()
    if v.flag(call.body, "newest_first", default=False):
        held.reverse()
    names = call.body.get("events")
    chosen = held if names is None else of_events(held, names)
    dispatcher.release(chosen)
    released = [{"seq": d.seq, "event_id": d.event.event_id, "event": d.event.name} for d in chosen]
    return {"released": released, "held": len(dispatcher.held())}


def of_events(held: Sequence[Delivery], names: Any) -> list[Delivery]:
    """Every held delivery of each named event, in the order the names are given; a name with
    none is an error, so a test cannot release what it only thinks was held."""
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise invalid("The events must be a list of event names.", "events")
    chosen: list[Delivery] = []
    for name in names:
        found = [d for d in held if d.event.name == name and d not in chosen]
        if not found:
            raise invalid(f"No held delivery of {name} is left to release.", "events")
        chosen += found
    return chosen


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
    call.core.faults.clear()
    call.core.hold_refunds = False
    dispatcher.reset()
    return {"reset": True, "at": datetime.now(UTC).isoformat()}


def knob_routes(core: Core, dispatcher: Dispatcher) -> list[Route]:
    def route(path: str, handler: DispatcherHandler, method: str) -> Route:
        return Route(path, endpoint(core, partial(handler, dispatcher)), methods=[method])

    return [
        route("/control/webhooks/knobs", show_knobs, "GET"),
        route("/control/webhooks/knobs", change_knobs, "POST"),
        route("/control/webhooks/release", release, "POST"),
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
        route("/control/faults", faults, "GET"),
        route("/control/faults", arm_fault, "POST"),
        route("/control/faults", clear_faults, "DELETE"),
        route("/control/refunds/hold", hold_refunds, "POST"),
        route("/control/refunds/{id}/process", partial(end_refund, fail=False), "POST"),
        route("/control/refunds/{id}/fail", partial(end_refund, fail=True), "POST"),
        *knob_routes(core, dispatcher),
    ]
