"""A burst of signed webhook deliveries at a running service, as Razorpay sends on a renewal day or
after an outage: `--events` distinct events over `--concurrency` connections, while `/readyz` is
probed alongside. Prints events/s, ack latencies, status counts and readiness; with
`--mongodb-uri` it also counts how many of the events are stored (each must be, exactly once).

    python -m bench.webhook_burst --url http://127.0.0.1:8000 --data-dir ./var \
        --events 10000 --concurrency 200 [--mongodb-uri mongodb://... --db billing]

The load generator speaks HTTP/1.1 over keep-alive asyncio streams by hand: a few tens of
microseconds of CPU per request, so on a small machine the service, not the generator, is what is
measured. Bounded: every request has a timeout and the whole burst a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pymongo import AsyncMongoClient

from bench.deliveries import WEBHOOK_PATH, envelope, signed_headers
from razorpay_sandbox.credentials import credentials_path, read_credentials

READINESS_EVERY_S = 0.5


@dataclass
class Burst:
    events: int
    concurrency: int
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    acks_s: list[float] = field(default_factory=list)
    readiness: Counter[str] = field(default_factory=Counter)
    slowest_readiness_s: float = 0.0
    ids: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("5"))

    def summary(self) -> dict[str, Any]:
        acks = sorted(self.acks_s)
        return {
            "events": self.events,
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 2),
            "events_per_s": round(self.statuses["200"] / self.seconds, 1) if self.seconds else 0,
            "ack_p50_ms": round(_quantile(acks, 0.50) * 1000, 1),
            "ack_p99_ms": round(_quantile(acks, 0.99) * 1000, 1),
            "ack_max_ms": round(acks[-1] * 1000, 1) if acks else 0,
            "statuses": dict(sorted(self.statuses.items())),
            "readiness": dict(sorted(self.readiness.items())),
            "slowest_readiness_ms": round(self.slowest_readiness_s * 1000, 1),
        }


def _quantile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Connection:
    """One keep-alive HTTP/1.1 connection; reopened after any failure."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def answer(self, head: bytes, body: bytes, within_s: float) -> str:
        """The status of the answer, or the name of what went wrong (the connection is closed)."""
        try:
            async with asyncio.timeout(within_s):
                return await self.request(head, body)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as error:
            await self.close()
            return type(error).__name__

    async def request(self, head: bytes, body: bytes) -> str:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(head + body)
        await writer.drain()
        status_line = await reader.readuntil(b"\r\n")
        headers = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        return status_line.split(b" ", 2)[1].decode()

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


def _head(method: str, path: str, host: str, body: bytes, extra: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _signed(url: str, secret: bytes, event_id: str) -> tuple[bytes, bytes]:
    body = envelope(event_id, int(time.time()))
    headers = signed_headers(secret, event_id, body)
    return _head("POST", WEBHOOK_PATH, urlsplit(url).netloc, body, headers), body


def _connect(url: str) -> Connection:
    parts = urlsplit(url)
    return Connection(parts.hostname or "127.0.0.1", parts.port or 80)


async def _worker(
    burst: Burst, url: str, secret: bytes, pending: list[str], request_timeout: float
) -> None:
    connection = _connect(url)
    try:
        while pending:
            head, body = _signed(url, secret, pending.pop())
            started = time.perf_counter()
            status = await connection.answer(head, body, request_timeout)
            burst.acks_s.append(time.perf_counter() - started)
            burst.statuses[status] += 1
    finally:
        await connection.close()


async def _probe_readiness(burst: Burst, url: str, stop: asyncio.Event) -> None:
    connection = _connect(url)
    head = _head("GET", "/readyz", urlsplit(url).netloc, b"", {})
    try:
        while not stop.is_set():
            started = time.perf_counter()
            status = await connection.answer(head, b"", within_s=10)
            waited = time.perf_counter() - started
            burst.slowest_readiness_s = max(burst.slowest_readiness_s, waited)
            burst.readiness[status] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), READINESS_EVERY_S)
    finally:
        await connection.close()


async def burst(
    url: str,
    secret: str,
    *,
    events: int,
    concurrency: int,
    request_timeout: float = 30.0,
    deadline: float = 600.0,
) -> Burst:
    """Deliver `events` distinct signed events over `concurrency` connections; the ids used are
    in the result's `ids`."""
    run = uuid.uuid4().hex[:12]
    result = Burst(events=events, concurrency=concurrency)
    result.ids = [f"evt_burst{run}{n:08d}" for n in range(events)]
    pending = list(reversed(result.ids))
    stop = asyncio.Event()
    started = time.perf_counter()
    prober = asyncio.create_task(_probe_readiness(result, url, stop))
    workers = [
        _worker(result, url, secret.encode(), pending, request_timeout) for _ in range(concurrency)
    ]
    try:
        async with asyncio.timeout(deadline):
            await asyncio.gather(*workers)
    except TimeoutError:
        result.statuses["cut off by the deadline"] = events - sum(result.statuses.values())
    finally:
        result.seconds = time.perf_counter() - started
        stop.set()
        await prober
    return result


async def stored(uri: str, database: str, ids: list[str]) -> dict[str, Any]:
    """How the burst's events are stored: each id once, and how their statuses ended."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        events = client[database]["webhook_events"]
        prefix = ids[0][:-8] if ids else ""
        found: Counter[str] = Counter()
        statuses: Counter[str] = Counter()
        async with asyncio.timeout(60):
            async for document in events.find({}, {"_id": 1, "status": 1}):
                if str(document["_id"]).startswith(prefix):
                    found[document["_id"]] += 1
                    statuses[str(document.get("status"))] += 1
    finally:
        await client.close()
    return {
        "stored": sum(found.values()),
        "missing": len(set(ids) - set(found)),
        "stored_twice": sum(1 for n in found.values() if n > 1),
        "statuses": dict(statuses),
    }


def _secret(args: argparse.Namespace) -> str:
    if args.secret:
        return str(args.secret)
    return read_credentials(credentials_path(Path(args.data_dir))).webhook_secret


async def _main(args: argparse.Namespace) -> int:
    result = await burst(
        args.url,
        _secret(args),
        events=args.events,
        concurrency=args.concurrency,
        request_timeout=args.timeout,
        deadline=args.deadline,
    )
    summary = result.summary()
    if args.mongodb_uri:
        summary["database"] = await stored(args.mongodb_uri, args.db, result.ids)
    print(json.dumps(summary, indent=2))
    healthy = result.statuses["200"] == args.events and set(result.readiness) == {"200"}
    return 0 if healthy else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_burst", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--secret", help="the webhook secret (default: the sandbox's)")
    parser.add_argument("--data-dir", default="./var", help="DATA_DIR, for the sandbox's secret")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=30.0, help="per delivery, seconds")
    parser.add_argument("--deadline", type=float, default=900.0, help="for the burst, seconds")
    parser.add_argument("--mongodb-uri", help="count the stored events in this database")
    parser.add_argument("--db", default="billing")
    return parser


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(_parser().parse_args())))
