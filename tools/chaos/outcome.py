"""What the system says at the end: order states, mails at the sink, outboxes, streams, stock."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pymongo
import redis

from testkit.journeys import Journey
from tools.chaos.customers import Customer
from tools.chaos.scenarios import counted, kind_of
from tools.chaos.stock import StockCheck, read_stock
from tools.dead_letters import DeadLetters
from tools.stack import Running


@dataclass
class Outcome:
    """What the system says at the end, and whether it is what each customer should have."""

    states: dict[int, dict[str, Any] | None]
    order_counts: dict[int, int]
    mails: dict[str, list[dict[str, Any]]]
    outbox: dict[str, int]
    dead_waiting: int
    dead_ever: int
    pending: int
    stock: StockCheck

    def problems(self, customers: list[Customer]) -> list[str]:
        found = []
        for c in customers:
            if c.failed:
                found.append(f"customer {c.index} gave up: {c.failed}")
                continue
            order_status, payment_status = c.expected.order_status, c.expected.payment_status
            kinds = c.expected.mails
            state = self.states.get(c.index)
            if not state or state["status"] != order_status:
                found.append(f"order {c.order_id}: {state and state['status']} != {order_status}")
            elif (state.get("payment") or {}).get("status") != payment_status:
                found.append(f"order {c.order_id}: payments says {state.get('payment')}")
            if self.order_counts.get(c.index, 1) != 1:
                found.append(f"customer {c.index} has {self.order_counts[c.index]} orders")
            got = sorted(kind_of(m["subject"]) for m in counted(self.mails.get(c.email, [])))
            if got != sorted(kinds):
                found.append(f"{c.email}: mail {got} != {sorted(kinds)}")
        if any(self.outbox.values()):
            found.append(f"outboxes not drained: {self.outbox}")
        if self.dead_waiting:
            found.append(f"{self.dead_waiting} dead letters")
        if self.pending:
            found.append(f"{self.pending} pending stream entries")
        found += [f"stock: {v}" for v in self.stock.violations]
        return found


async def observe(
    journey: Journey, running: Running, customers: list[Customer], states_ok: set[int]
) -> Outcome:
    """One look at everything the report checks (order states only where not final yet)."""
    states: dict[int, dict[str, Any] | None] = {}
    counts: dict[int, int] = {}
    limit = asyncio.Semaphore(20)

    async def look(c: Customer) -> None:
        if c.failed or not c.order_id:
            return
        async with limit:
            states[c.index] = await journey.state(c, c.order_id)
            if c.index not in states_ok:
                counts[c.index] = await journey.order_count(c)
            expected = (c.expected.order_status, c.expected.payment_status)
            state = states[c.index]
            if state and (state["status"], (state.get("payment") or {}).get("status")) == expected:
                states_ok.add(c.index)

    await asyncio.gather(*(look(c) for c in customers))
    mails: dict[str, list[dict[str, Any]]] = defaultdict(list)
    assert running.smtp_sink is not None
    async with httpx.AsyncClient(timeout=60) as http:
        for message in (await http.get(running.smtp_sink)).json():
            for to in message["to"]:
                mails[to].append(message)
    return Outcome(
        states,
        counts,
        mails,
        await asyncio.to_thread(outbox_backlog, running.mongodb),
        *await asyncio.to_thread(dead_letters_and_pending, running.redis),
        await read_stock(running.mongodb),
    )


def outbox_backlog(uri: str) -> dict[str, int]:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        uri, serverSelectionTimeoutMS=10_000
    )
    try:
        return {
            db: client[db]["outbox"].count_documents({"published": False})
            for db in ("users", "catalog", "orders", "payments")
        }
    finally:
        client.close()


def dead_letters_and_pending(url: str) -> tuple[int, int, int]:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        groups = DeadLetters(client).groups()
        pending = 0
        for stream in client.scan_iter(match="events.*", _type="stream"):
            for group in client.xinfo_groups(stream):  # type: ignore[union-attr]
                pending += int(group["pending"])
        return sum(g.waiting for g in groups), sum(g.ever for g in groups), pending
    finally:
        client.close()


def resends(log: Path, first_seen: dict[str, str]) -> list[float]:
    """Seconds between a message's acceptance and each resend of it (the sink's log)."""
    windows = []
    pattern = re.compile(r"^(\S+ \S+) duplicate of (.+) not stored again$")
    with contextlib.suppress(OSError):
        for line in log.read_text(errors="replace").splitlines():
            found = pattern.match(line)
            if not found or found.group(2) not in first_seen:
                continue
            at = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f").astimezone(UTC)
            first = datetime.fromisoformat(first_seen[found.group(2)])
            windows.append((at - first).total_seconds())
    return windows
