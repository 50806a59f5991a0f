"""The fan-out table: graphql-ws subscribers through the gateway, and how fast PAID reaches them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
import websockets

from bench.common import percentile, render_table
from bench.e2e.processes import rss_mib
from bench.e2e.shop import create_order, pay, register_users
from bench.e2e.target import BenchError, Sizes, Target, ms
from testkit.client import Subscription, SubscriptionError, subscribe
from testkit.journeys import Shopper
from testkit.prometheus import metric_sum, scrape
from testkit.waiting import TimedOut, eventually

STATUS = """subscription Status($id: ID!) { orderStatusChanged(orderId: $id) { status } }"""

# Subscribers the orders subgraph has registered (a counter), and the client subscriptions the
# gateway serves now (a gauge).
UPSTREAM_REGISTERED = "broadcast_subscriptions_total"
GATEWAY_SUBSCRIBERS = "gateway_subscriptions_open"


@dataclass
class Watcher:
    """One graphql-ws client watching one order; records when PAID arrived."""

    order_id: str
    token: str
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    paid_at: float | None = None
    error: str | None = None


async def watch(url: str, watcher: Watcher, done: asyncio.Event) -> None:
    variables = {"id": watcher.order_id}
    try:
        async with subscribe(url, STATUS, variables, token=watcher.token, timeout=60) as sub:
            watcher.acked.set()
            receiving = asyncio.ensure_future(_until_paid(sub, watcher))
            finished = asyncio.ensure_future(done.wait())
            await asyncio.wait([receiving, finished], return_when=asyncio.FIRST_COMPLETED)
            for task in (receiving, finished):
                task.cancel()
    except (OSError, SubscriptionError, TimeoutError, websockets.WebSocketException) as exc:
        watcher.error = repr(exc)
        watcher.acked.set()


async def _until_paid(subscription: Subscription, watcher: Watcher) -> None:
    while True:
        try:
            payload = await subscription.next(timeout=None)
        except SubscriptionError as exc:
            watcher.error = str(exc)[:200]
            return
        change = (payload.get("data") or {}).get("orderStatusChanged") or {}
        if change.get("status") == "PAID":
            watcher.paid_at = time.time()
            return


async def metric(client: httpx.AsyncClient, base_url: str, name: str) -> float:
    """The sum of a metric's samples on `base_url`/metrics."""
    return metric_sum(await scrape(client, base_url), name)


async def fanout_case(
    client: httpx.AsyncClient,
    target: Target,
    owners: Sequence[tuple[Shopper, str]],
    per_order: int,
    *,
    strict: bool,
    pay_rate: float | None,
) -> list[str]:
    """`per_order` watchers on each (owner, order); pay them all; one table row.

    `pay_rate`: payments sent at that many per second (open loop), else all at once, 20 at
    a time.
    """
    idle = {part: rss_mib(target, part) for part in ("gateway", "orders")}
    watchers = [Watcher(order, user.token) for user, order in owners for _ in range(per_order)]
    done = asyncio.Event()

    async def previous_closed() -> bool:
        return await metric(client, target.gateway_internal, GATEWAY_SUBSCRIBERS) == 0

    await eventually(previous_closed, timeout=30, what="the previous subscriptions to close")
    registered_before = await metric(client, target.internal["orders"], UPSTREAM_REGISTERED)
    tasks = [asyncio.create_task(watch(f"{target.gateway}/graphql", w, done)) for w in watchers]
    await asyncio.gather(*(w.acked.wait() for w in watchers))
    acked = sum(1 for w in watchers if w.error is None)
    # Identical subscriptions (same order, same token) share one upstream subscription.
    upstreams = len({(w.order_id, w.token) for w in watchers if w.error is None})

    async def upstream_ready() -> bool:
        """Every subscriber attached at the gateway, every upstream registered at orders."""
        attached = await metric(client, target.gateway_internal, GATEWAY_SUBSCRIBERS)
        registered = await metric(client, target.internal["orders"], UPSTREAM_REGISTERED)
        return attached >= acked and registered - registered_before >= upstreams

    await eventually(upstream_ready, timeout=120, what="every subscription registered upstream")
    loaded = {part: rss_mib(target, part) for part in ("gateway", "orders")}

    started: dict[str, float] = {}

    async def pay_one(user: Shopper, order: str) -> None:
        started[order] = time.time()
        await pay(client, target, user, order)

    gate = asyncio.Semaphore(20)

    async def gated(user: Shopper, order: str) -> None:
        async with gate:
            await pay_one(user, order)

    async def paced(i: int, user: Shopper, order: str) -> None:
        assert pay_rate is not None
        await asyncio.sleep(i / pay_rate)
        await pay_one(user, order)

    if pay_rate is None:
        await asyncio.gather(*(gated(user, order) for user, order in owners))
    else:
        await asyncio.gather(*(paced(i, user, order) for i, (user, order) in enumerate(owners)))

    async def all_delivered() -> bool:
        return all(w.paid_at is not None or w.error is not None for w in watchers)

    try:
        await eventually(all_delivered, timeout=60, what="every subscriber to see PAID")
    except TimedOut:
        if strict:
            raise
    done.set()
    await asyncio.gather(*tasks)
    latencies = sorted(w.paid_at - started[w.order_id] for w in watchers if w.paid_at)
    delivered = len(latencies)
    if strict and delivered < len(watchers):
        errors = {w.error for w in watchers if w.error}
        raise BenchError(f"{delivered} of {len(watchers)} saw PAID; errors: {sorted(errors)[:3]}")
    if delivered == 0:
        errors = {w.error for w in watchers if w.error}
        raise BenchError(f"no subscriber saw PAID; errors: {sorted(errors)[:3]}")
    return [
        f"{len(owners)} orders x {per_order}",
        str(len(watchers)),
        str(acked),
        str(delivered),
        ms(percentile(latencies, 0.5)),
        ms(percentile(latencies, 0.99)),
        "at once" if pay_rate is None else f"{pay_rate:g}/s",
        *(_memory(idle[part], loaded[part], acked) for part in ("gateway", "orders")),
    ]


def _memory(idle: float | None, loaded: float | None, subscriptions: int) -> str:
    """ "idle / loaded MiB (KiB per open subscription)"."""
    if idle is None or loaded is None:
        return "-"
    per = (loaded - idle) * 1024 / subscriptions if subscriptions else float("nan")
    # Below zero: the garbage collector gave back more than the subscriptions took.
    return f"{idle:.0f} / {loaded:.0f} ({per:.0f})" if per >= 0 else f"{idle:.0f} / {loaded:.0f}"


async def fanout(target: Target, sizes: Sizes) -> str:
    async with httpx.AsyncClient(timeout=60) as client:
        users = await register_users(client, target, min(sizes.fanout_orders, sizes.users * 10))

        async def orders_of_users() -> list[tuple[Shopper, str]]:
            owners = []
            for i in range(sizes.fanout_orders):
                user = users[i % len(users)]
                owners.append((user, await create_order(client, target, user)))
            return owners

        rows = []
        for pay_rate in (sizes.fanout_pay_rate, None):
            owners = await orders_of_users()
            rows.append(
                await fanout_case(
                    client,
                    target,
                    owners,
                    sizes.fanout_per_order,
                    strict=sizes.strict,
                    pay_rate=pay_rate,
                )
            )
        one_owner = users[0]
        rows.append(
            await fanout_case(
                client,
                target,
                [(one_owner, await create_order(client, target, one_owner))],
                sizes.fanout_one_order,
                strict=sizes.strict,
                pay_rate=None,
            )
        )
    table = render_table(
        [
            "subscribers",
            "total",
            "acked",
            "delivered",
            "p50",
            "p99",
            "orders paid",
            "gateway MiB idle / load (KiB per sub)",
            "orders MiB idle / load (KiB per sub)",
        ],
        rows,
    )
    return f"fan-out (PAID from the payment mutation's start, through the gateway)\n{table}"
