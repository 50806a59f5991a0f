"""A whole stack on free ports for the end-to-end bench: `make up`'s own runner, its own Redis.

The stack is started by `tools.stack.start` on a free layout (as the chaos run does), so
the bench measures exactly what `make up` runs, never the Redis that may be on 6379.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from bench.e2e.target import Target
from tools.stack import Stack, free_layout, start

# Data and logs of the last run (kept afterwards, to read when a figure looks wrong).
RUN_DIR = Path(__file__).resolve().parents[2] / ".run" / "bench-e2e"

# The bench is one client address sending thousands of requests: the gateway's limits
# per client and per user are off (its global ceiling too).
BENCH_ENV = {
    "GATEWAY_RATE_LOGIN_PER_MINUTE": "0",
    "USERS_LOGIN_PER_ADDRESS": "0",
    "USERS_SIGNUP_PER_ADDRESS": "0",
    "GATEWAY_RATE_MUTATIONS_PER_MINUTE": "0",
    "GATEWAY_RATE_REQUESTS_PER_SECOND": "0",
}

# The processes whose CPU and memory the tables show: the gateway, the subgraphs, the worker,
# the stores.
WATCHED = (
    "gateway",
    "users",
    "catalog",
    "orders",
    "payments",
    "notifications",
    "notifications-worker",
    "mongodb",
    "redis",
)


@contextlib.contextmanager
def bench_stack() -> Iterator[Target]:
    """Start SecantusDB (on disk, as `make up`), Redis, the SMTP sink, the subgraphs, the
    worker and the gateway on free ports; stop them all afterwards.

    Everything runs in `.run/bench-e2e/` (logs included), emptied at the next run.
    """
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    stack = Stack(log=lambda _line: None)
    config = free_layout(RUN_DIR / "data", RUN_DIR / "run")
    try:
        running = start(stack, config, extra_env=BENCH_ENV)
        if running.smtp_sink is None:
            raise RuntimeError("the bench needs the SMTP sink (SMTP_HOST must be unset)")
        pids = {
            name: [pid]
            for name, part in stack.pids().items()
            if name in WATCHED and (pid := part["pid"]) is not None
        }
        yield Target(
            gateway=running.gateway.removesuffix("/graphql"),
            gateway_internal=f"http://127.0.0.1:{config.gateway_internal_port}",
            users=running.urls["users"].removesuffix("/graphql"),
            orders=running.urls["orders"].removesuffix("/graphql"),
            payments=running.urls["payments"].removesuffix("/graphql"),
            internal={s.name: s.internal_url("") for s in running.subgraphs},
            sink=running.smtp_sink.removesuffix("/messages"),
            redis_url=running.redis,
            mongo_uri=running.mongodb,
            pids=pids,
        )
    finally:
        stack.stop_all()
