"""The notifications worker's CPU per paid order: a new SMTP connection per mail or kept ones.

Runs the real processes of `make up` on free ports (a redis-server, the SMTP
sink, `python -m workers.notifications` with its default settings but the
row's), appends what one paid order brings to the streams (`orders.created`,
`payments.succeeded`, `orders.paid`: a confirmation and a receipt mail) for
`BENCH_ORDERS` orders at `BENCH_ORDER_RATE` a second, and waits until every
mail is at the sink. The figure is the worker's user + system CPU time over
that run (from /proc) divided by the orders. Before the timed run, each row
warms up on the 20 registrations of the orders' users (their welcome mails).

The first row is the baseline of the ratios (the worker before connections
were kept).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis

from bench.common import env_int, render_table
from subgraphs.kernel.core.events import Event, stream_of
from testkit.waiting import eventually
from tools.procs import free_port
from tools.stack import smtp_sink_process, worker_process
from tools.stores import redis_server

# name -> extra worker environment
CONFIGS: dict[str, dict[str, str]] = {
    "a connection per mail (SMTP_POOL_SIZE=0)": {"SMTP_POOL_SIZE": "0"},
    "kept connections (SMTP_POOL_SIZE=4, default)": {},
}
WARM_UP_USERS = 20  # also the users the orders belong to


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _append(redis: aioredis.Redis, type_: str, payload: dict[str, Any]) -> None:
    event = Event.create(
        type_, payload, producer=type_.split(".")[0], occurred_at=datetime.now(UTC)
    )
    fields: dict[Any, Any] = event.to_fields()
    await redis.xadd(stream_of(event.producer), fields)


async def _mails_at_least(sink: httpx.AsyncClient, count: int) -> bool:
    answer = await sink.get("/health")
    return int(answer.json()["messages"]) >= count


async def _run(
    redis_url: str, sink_url: str, worker_pid: int, orders: int, rate: float, users: int
) -> float:
    """CPU seconds the worker used for `orders` paid orders of `users` users."""
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        async with httpx.AsyncClient(base_url=sink_url, timeout=10) as sink:
            for n in range(users):
                user = {"user_id": f"u-{n}", "email": f"u-{n}@example.com", "name": "Ann"}
                await _append(redis, "users.registered", {**user, "phone": None})
                await _append(redis, "users.email_verified", user)
            await eventually(lambda: _mails_at_least(sink, users), timeout=60, what="welcome mails")
            before = cpu_seconds(worker_pid)
            start = time.monotonic()
            for n in range(orders):
                await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
                user_id, order_id = f"u-{n % users}", f"ord-{n}"
                order = {"order_id": order_id, "user_id": user_id, "currency": "USD"}
                await _append(
                    redis,
                    "orders.created",
                    {**order, "status": "PENDING", "order_version": 1, "total": "19.90",
                     "items": [{"sku": "SKU-TEE", "name": "T-shirt", "quantity": 1,
                                "unit_price": "19.90"}]},
                )  # fmt: skip
                await _append(
                    redis,
                    "payments.succeeded",
                    {**order, "payment_id": f"p-{n}", "amount": "19.90"},
                )
                await _append(redis, "orders.paid", {**order, "status": "PAID", "order_version": 2})
            await eventually(
                lambda: _mails_at_least(sink, users + 2 * orders),
                timeout=120,
                what=f"{2 * orders} order mails",
            )
            return cpu_seconds(worker_pid) - before
    finally:
        await redis.aclose()


def _measure(env: dict[str, str], orders: int, rate: float, users: int, work: Path) -> float:
    run = work / str(len(list(work.iterdir())))
    run.mkdir()
    redis_port, smtp_port, http_port = free_port(), free_port(), free_port()
    redis_url, sink_url = f"redis://127.0.0.1:{redis_port}/0", f"http://127.0.0.1:{http_port}"
    redis = redis_server(redis_port, run / "redis.log", dir=run / "redis")
    sink = smtp_sink_process(smtp_port, http_port, maildir=run / "mail", log_dir=run)
    worker = worker_process(
        "notifications",
        free_port(),
        env={"REDIS_URL": redis_url, "SMTP_PORT": str(smtp_port), **env},
        log_dir=run,
    )
    with redis, sink, worker:
        assert worker.pid is not None
        return asyncio.run(_run(redis_url, sink_url, worker.pid, orders, rate, users))


def run(*, smoke: bool = False) -> str:
    """Measure and return the table (`smoke`: the default row only, two users and two orders,
    still checked)."""
    orders = 2 if smoke else env_int("BENCH_ORDERS", 300)
    users = 2 if smoke else WARM_UP_USERS
    rate = float(env_int("BENCH_ORDER_RATE", 10))
    configs = dict(list(CONFIGS.items())[-1:]) if smoke else CONFIGS
    rows: list[list[str]] = []
    baseline: float | None = None
    with tempfile.TemporaryDirectory(prefix="bench-mail-cpu-") as tmp:
        for name, env in configs.items():
            per_order = _measure(env, orders, rate, users, Path(tmp)) * 1000 / orders
            baseline = baseline or per_order
            rows.append([name, f"{per_order:.2f}", f"{per_order / baseline:.2f}"])
    title = (
        f"notification_cpu: the worker's CPU per paid order (2 mails), {orders} orders at "
        f"{rate:g}/s a row"
    )
    table = render_table(["worker", "CPU ms per paid order", "ratio"], rows)
    return f"{title}\n{table}"
