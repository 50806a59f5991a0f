"""The events table: the highest sustainable rate of paid orders, the mail latency at half of it."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import redis.asyncio as aioredis
from pymongo import AsyncMongoClient

from bench.common import percentile, render_table
from bench.e2e.processes import cpu_seconds, cpu_split
from bench.e2e.shop import create_order, pay, register_users, until_reserved
from bench.e2e.target import Sizes, Target, ms
from subgraphs.notifications.jobs.arq_queue import QUEUE as JOBS_QUEUE
from testkit.journeys import Shopper
from testkit.prometheus import samples, scrape
from testkit.waiting import eventually

WRITE_COMMANDS = ("insert", "update", "delete", "findAndModify")
SUSTAINABLE_P99_SECONDS = 1.0
# Steps between the last sustainable doubling and the first that was not (16 -> 24 -> 20).
BISECTIONS = 2
# Confirmation runs at a lower rate when the candidate maximum does not hold for its minute.
CONFIRM_RETRIES = 1
# A step starts on a settled stack: what the previous one left (stream entries, jobs) drained.
SETTLE_SECONDS = 300.0


@dataclass
class PaidOrder:
    order_id: str
    created_at: float  # wall clock, when createOrder was sent
    pay_started_at: float  # wall clock, when processPayment was sent (once it was reserved)
    reads: int  # how often the order was read while waiting for its reservation


async def paid_order(client: httpx.AsyncClient, target: Target, user: Shopper) -> PaidOrder:
    """Place an order, wait until the catalog reserved its stock (as the shop's order page
    does before it offers to pay), pay it."""
    created_at = time.time()
    order_id = await create_order(client, target, user)
    reads = await until_reserved(client, target, user, order_id)
    pay_started_at = time.time()
    await pay(client, target, user, order_id)
    return PaidOrder(order_id, created_at, pay_started_at, reads)


async def backlog(redis: aioredis.Redis) -> int:
    """Pending stream entries of every consumer group, plus notification jobs due now (a retry
    scheduled for later is not a backlog)."""
    total = 0
    async for stream in redis.scan_iter(match="events.*", _type="stream"):
        for group in await redis.xinfo_groups(stream):
            total += int(group.get("pending", 0)) + int(group.get("lag") or 0)
    total += await redis.zcount(JOBS_QUEUE, "-inf", int(time.time() * 1000))
    return total


async def mail_times(client: httpx.AsyncClient, target: Target) -> dict[str, float]:
    """Subject -> when the sink accepted it (epoch seconds)."""
    messages = (await client.get(f"{target.sink}/messages")).json()
    return {m["subject"]: datetime.fromisoformat(m["received_at"]).timestamp() for m in messages}


async def resting_backlog(redis: aioredis.Redis, steady_for: float = 2.0) -> int:
    """The backlog of the stack at rest: once it stops falling for `steady_for` seconds (zero
    on the bench's own stack; on a shared one, what other users left, e.g. groups nobody
    reads)."""
    last, since = await backlog(redis), time.monotonic()
    deadline = since + 30.0
    while time.monotonic() - since < steady_for and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        now = await backlog(redis)
        if now < last:
            last, since = now, time.monotonic()
    return last


async def settle(redis: aioredis.Redis, resting: int, timeout: float = SETTLE_SECONDS) -> None:
    """Wait until the backlog is back to `resting`, so that a step measures its own rate and
    not the drain of the step before it. Gives up, and says so, after `timeout`."""
    began = time.monotonic()
    while await backlog(redis) > resting:
        if time.monotonic() - began > timeout:
            print(f"bench: the stack did not settle within {timeout:g} s", file=sys.stderr)
            return
        await asyncio.sleep(0.2)


@dataclass
class Step:
    rate: float
    orders: int
    receipt_p50: float
    receipt_p99: float
    reserved_p50: float
    reserved_p99: float
    reads_per_order: float
    confirmation_p50: float
    confirmation_p99: float
    backlog_growth: int

    @property
    def sustainable(self) -> bool:
        return self.receipt_p99 < SUSTAINABLE_P99_SECONDS and self.backlog_growth <= max(
            5, int(self.rate)
        )


async def run_rate(
    client: httpx.AsyncClient,
    redis: aioredis.Redis,
    target: Target,
    users: Sequence[Shopper],
    rate: float,
    seconds: float,
    resting: int,
) -> Step:
    """On a settled stack, start paid orders at `rate` a second (open loop) for `seconds`;
    wait for their mail."""
    await settle(redis, resting)
    tasks: list[asyncio.Task[PaidOrder]] = []
    began = time.monotonic()
    count = max(1, round(rate * seconds))
    for i in range(count):
        if i == count // 3:
            # The growth is counted from a third of the way in: by then the backlog holds
            # the work in flight at this rate, which a stack keeping up holds at the end too.
            before = await backlog(redis)
        delay = began + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(paid_order(client, target, users[i % len(users)])))
    orders = await asyncio.gather(*tasks)
    growth = await backlog(redis) - before

    async def all_mailed() -> dict[str, float] | None:
        times = await mail_times(client, target)
        done = all(f"Receipt for order {o.order_id}" in times for o in orders)
        return times if done else None

    times = await eventually(all_mailed, timeout=60 + seconds, what="every receipt at the sink")
    receipts = sorted(times[f"Receipt for order {o.order_id}"] - o.pay_started_at for o in orders)
    reserved = sorted(o.pay_started_at - o.created_at for o in orders)
    confirmations = sorted(
        times[f"Order {o.order_id} received"] - o.created_at
        for o in orders
        if f"Order {o.order_id} received" in times
    )
    return Step(
        rate,
        len(orders),
        percentile(receipts, 0.5),
        percentile(receipts, 0.99),
        percentile(reserved, 0.5),
        percentile(reserved, 0.99),
        sum(o.reads for o in orders) / len(orders),
        percentile(confirmations, 0.5) if confirmations else float("nan"),
        percentile(confirmations, 0.99) if confirmations else float("nan"),
        growth,
    )


async def raw_write_rate(mongo_uri: str, seconds: float, concurrency: int = 8) -> float:
    """Single-document inserts a second the store takes, `concurrency` at a time."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    collection = client[f"bench_raw_{uuid.uuid4().hex[:6]}"]["writes"]
    done = 0
    stop = time.monotonic() + seconds

    async def writer() -> None:
        nonlocal done
        while time.monotonic() < stop:
            await collection.insert_one({"payload": "x" * 200, "at": time.time()})
            done += 1

    began = time.monotonic()
    try:
        await asyncio.gather(*(writer() for _ in range(concurrency)))
        return done / (time.monotonic() - began)
    finally:
        await client.drop_database(collection.database.name)
        await client.close()


async def mongo_commands(
    client: httpx.AsyncClient, target: Target
) -> dict[tuple[str, str, str], float]:
    """(database, collection, command) -> MongoDB commands the users, catalog, orders and
    payments processes have sent so far (their `mongodb_commands_total`)."""
    counts: dict[tuple[str, str, str], float] = {}
    for base in (target.internal[name] for name in ("users", "catalog", "orders", "payments")):
        for sample in samples(await scrape(client, base)):
            if sample.name != "mongodb_commands_total":
                continue
            labels = sample.labels
            key = (labels["database"], labels.get("collection", ""), labels["command"])
            counts[key] = counts.get(key, 0.0) + sample.value
    return counts


def writes(counts: Mapping[tuple[str, str, str], float]) -> float:
    return sum(v for (_, _, command), v in counts.items() if command in WRITE_COMMANDS)


def per_order_breakdown(
    before: Mapping[tuple[str, str, str], float],
    after: Mapping[tuple[str, str, str], float],
    orders: int,
) -> str:
    """Write commands (and transaction commits) per paid order, by database and collection."""
    rows = []
    for key in sorted(after):
        database, collection, command = key
        if command not in (*WRITE_COMMANDS, "commitTransaction"):
            continue
        per_order = (after[key] - before.get(key, 0.0)) / orders
        if per_order:
            rows.append([f"{database}.{collection}" if collection else database, command,
                         f"{per_order:.2f}"])  # fmt: skip
    return render_table(["database.collection", "command", "per paid order"], rows)


async def events(target: Target, sizes: Sizes) -> str:
    async with (
        httpx.AsyncClient(timeout=60) as client,
        aioredis.Redis.from_url(target.redis_url, decode_responses=True) as redis,
    ):
        users = await register_users(client, target, sizes.users)
        resting = await resting_backlog(redis)
        raw_rate = await raw_write_rate(target.mongo_uri, sizes.raw_write_seconds)

        commands_before = await mongo_commands(client, target)
        probe = await run_rate(
            client, redis, target, users, sizes.start_rate, sizes.step_seconds, resting
        )
        commands_after = await mongo_commands(client, target)
        writes_per_order = (writes(commands_after) - writes(commands_before)) / probe.orders
        breakdown = per_order_breakdown(commands_before, commands_after, probe.orders)

        steps = [probe]
        good: Step | None = probe if probe.sustainable else None
        bad: Step | None = None if probe.sustainable else probe
        rate = sizes.start_rate
        while good is not None and bad is None and rate * 2 <= sizes.max_rate:
            rate *= 2
            step = await run_rate(client, redis, target, users, rate, sizes.step_seconds, resting)
            steps.append(step)
            good, bad = (step, None) if step.sustainable else (good, step)
        if good is not None and bad is not None:
            low, high = good, bad
            for _ in range(BISECTIONS):
                middle = (low.rate + high.rate) / 2
                step = await run_rate(
                    client, redis, target, users, middle, sizes.step_seconds, resting
                )
                steps.append(step)
                low, high = (step, high) if step.sustainable else (low, step)
            good = low
        best = good.rate if good is not None else sizes.start_rate / 2
        # The 10-second steps only find a candidate: it is the maximum once it holds for
        # `confirm_seconds`. If it does not, 30% less is confirmed instead (once).
        confirms: list[Step] = []
        for _ in range(1 + CONFIRM_RETRIES):
            cpu_before = cpu_seconds(target)
            confirm = await run_rate(
                client, redis, target, users, best, sizes.confirm_seconds, resting
            )
            await settle(redis, resting)  # the work the step left behind is its cost too
            cpu = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_seconds(target).items()}
            confirms.append(confirm)
            if confirm.sustainable:
                break
            best = round(best * 0.7, 1)
        half = await run_rate(
            client, redis, target, users, best / 2, sizes.half_rate_seconds, resting
        )

    store_limit = raw_rate / writes_per_order if writes_per_order else float("inf")

    def row(step: Step, label: str) -> list[str]:
        return [
            label,
            str(step.orders),
            ms(step.receipt_p50),
            ms(step.receipt_p99),
            str(step.backlog_growth),
            "yes" if step.sustainable else "no",
        ]

    rows = [row(s, f"{s.rate:g}/s for {sizes.step_seconds:g}s") for s in steps]
    rows += [row(c, f"{c.rate:g}/s for {sizes.confirm_seconds:g}s (max?)") for c in confirms]
    confirmed = confirms[-1].sustainable
    search = render_table(
        ["paid orders at", "orders", "receipt p50", "receipt p99", "backlog +", "sustainable"],
        rows,
    )
    summary = render_table(
        ["events", "value"],
        [
            ["max sustainable paid orders/s", f"{best:g}" if confirmed else f"< {best:g}"],
            [f"receipt p50 / p99 at {best / 2:g}/s (from pay start)",
             f"{ms(half.receipt_p50)} / {ms(half.receipt_p99)}"],
            [f"stock reserved p50 / p99 at {best / 2:g}/s (from create)",
             f"{ms(half.reserved_p50)} / {ms(half.reserved_p99)}"],
            [f"order reads while waiting for it, per paid order at {best / 2:g}/s",
             f"{half.reads_per_order:.1f}"],
            [f"confirmation p50 / p99 at {best / 2:g}/s (from create)",
             f"{ms(half.confirmation_p50)} / {ms(half.confirmation_p99)}"],
            ["store raw writes/s (8 writers)", f"{raw_rate:.0f}"],
            ["MongoDB writes per paid order", f"{writes_per_order:.1f}"],
            ["paid orders/s the store allows", f"{store_limit:.1f}"],
            ["max rate / store limit", f"{best / store_limit:.2f}x"],
        ],
    )  # fmt: skip
    split = cpu_split([(f"at {confirms[-1].rate:g}/s", cpu, confirms[-1].orders)], "paid order")
    return (
        f"events\n{search}\n\n{summary}\n\n{split}\n\nMongoDB writes per paid order at"
        f" {sizes.start_rate:g}/s, by collection (background writes included)\n{breakdown}"
    )
