"""A webhook receiver for the tests: records each delivery, can answer 500 or late on purpose."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


@dataclass
class Receiver:
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    stall_next: int = 0  # how many deliveries to answer only after stall_seconds
    stall_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        with self.lock:
            failing = self.fail_next > 0
            if failing:
                self.fail_next -= 1
            stalling = self.stall_next > 0
            if stalling:
                self.stall_next -= 1
            self.received.append(
                {
                    "body": body.decode("utf-8"),
                    "event": json.loads(body)["event"],
                    "signature": request.headers.get("x-razorpay-signature"),
                    "event_id": request.headers.get("x-razorpay-event-id"),
                    "content_type": request.headers.get("content-type"),
                    "answered": 500 if failing else 200,
                }
            )
        if stalling:
            await asyncio.sleep(self.stall_seconds)
        return JSONResponse({"ok": not failing}, status_code=500 if failing else 200)

    def clear(self) -> None:
        with self.lock:
            self.received.clear()
            self.fail_next = self.stall_next = 0

    def about(self, entity_id: str) -> list[dict[str, Any]]:
        """Deliveries whose payload mentions this id, in arrival order."""
        with self.lock:
            return [item for item in self.received if f'"{entity_id}"' in item["body"]]
