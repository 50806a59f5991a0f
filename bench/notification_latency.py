"""Event to mail: how long a notification takes from its event to the SMTP sink.

Runs the real processes of `make up` on free ports (a redis-server, the SMTP
sink, `python -m workers.notifications`), then, one at a time, appends a
`users.email_verification_requested` event to `events.users` and waits for its
mail at the sink. The latency of one mail is the sink's `received_at` minus the
event's `occurred_at` (one machine, one clock). A random pause before each
event keeps it from lining up with the worker's job polling.

Each row is a worker configuration (environment variables); the first row is
the baseline of the ratios.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis

from bench.common import env_int, percentile, render_table
from subgraphs.kernel.core.events import Event, stream_of
from testkit.waiting import eventually
from tools.procs import free_port
from tools.stack import smtp_sink_process, worker_process
from tools.stores import redis_server

# name -> extra worker environment
CONFIGS: dict[str, dict[str, str]] = {
    "defaults (wake-up, poll 0.5 s)": {},
    "poll 0.1 s": {"NOTIFICATIONS_JOBS_POLL_DELAY_SECONDS": "0.1"},
}
MAIL_TIMEOUT = 20.0


async def _mail(client: httpx.AsyncClient, to: str) -> dict[str, str] | None:
    response = await client.get("/messages", params={"to": to})
    response.raise_for_status()
    found: list[dict[str, str]] = response.json()
    return found[0] if found else None


async def _latencies(redis_url: str, sink_url: str, mails: int, tag: str) -> list[float]:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    latencies: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=sink_url, timeout=5) as sink:
            for n in range(mails + 1):  # the first mail warms the worker up, untimed
                await asyncio.sleep(random.uniform(0, 0.5))
                to = f"bench-{tag}-{n}@example.com"
                expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
                event = Event.create(
                    "users.email_verification_requested",
                    {
                        "user_id": f"u-{tag}-{n}",
                        "email": to,
                        "verify_url": "http://localhost:3000/verify-email?token=bench",
                        "expires_at": expires,
                    },
                    producer="users",
                    occurred_at=datetime.now(UTC),
                )
                fields: dict[Any, Any] = event.to_fields()
                await redis.xadd(stream_of("users"), fields)
                mail = await eventually(
                    partial(_mail, sink, to),
                    timeout=MAIL_TIMEOUT,
                    what=f"the mail to {to}",
                    interval=0.01,
                )
                received = datetime.fromisoformat(mail["received_at"])
                if n:
                    latencies.append((received - event.occurred_at).total_seconds() * 1000)
    finally:
        await redis.aclose()
    return sorted(latencies)


def _measure(env: dict[str, str], mails: int, work: Path) -> list[float]:
    tag = str(len(list(work.iterdir())))
    run = work / tag
    run.mkdir()
    redis_port, smtp_port, http_port = free_port(), free_port(), free_port()
    redis_url, sink_url = f"redis://127.0.0.1:{redis_port}/0", f"http://127.0.0.1:{http_port}"
    redis = redis_server(redis_port, run / "redis.log", dir=run / "redis")
    sink = smtp_sink_process(smtp_port, http_port, maildir=run / "mail", log_dir=run)
    worker = worker_process(
        "notifications",
        free_port(),
        env={
            "APP_ENV": "test",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": redis_url,
            "SMTP_PORT": str(smtp_port),
            **env,
        },
        log_dir=run,
    )
    with redis, sink, worker:
        return asyncio.run(_latencies(redis_url, sink_url, mails, tag))


def run(*, smoke: bool = False) -> str:
    """Measure and return the table (`smoke`: the first row only, two mails, still checked)."""
    mails = 2 if smoke else env_int("BENCH_MAILS", 20)
    configs = dict(list(CONFIGS.items())[:1]) if smoke else CONFIGS
    rows: list[list[str]] = []
    baseline: float | None = None
    with tempfile.TemporaryDirectory(prefix="bench-mail-") as tmp:
        for name, env in configs.items():
            latencies = _measure(env, mails, Path(tmp))
            p50 = percentile(latencies, 0.5)
            baseline = baseline or p50
            rows.append(
                [
                    name,
                    f"{p50:.0f}",
                    f"{percentile(latencies, 0.9):.0f}",
                    f"{latencies[-1]:.0f}",
                    f"{p50 / baseline:.2f}",
                ]
            )
    title = f"notification_latency: event -> mail at the SMTP sink, {mails} mails a row (ms)"
    table = render_table(["worker", "p50", "p90", "max", "p50 ratio"], rows)
    return f"{title}\n{table}"
