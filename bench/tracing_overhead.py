"""What tracing costs a subgraph per request: off (no endpoint) against on at 100% sampling.

Tracing is set up once per process, so each variant is a process of its own
(`python -m bench.tracing_overhead --worker`), both started at once and
driven in interleaved rounds, so that a slow spell of the machine lands on
both. Each worker builds the orders subgraph's real ASGI app (kernel app
factory, its schema and transport) around the contexts of `graphql_overhead`'s
orders operations (in-memory ports instead of MongoDB, the same callers) and
calls it in process with hand-made ASGI messages:

    off          no OTEL_* variables: no SDK loaded, every hook one check
    on, 100%     OTEL_EXPORTER_OTLP_ENDPOINT set (sampler: parentbased_always_on,
                 the default), spans batched and exported over OTLP/HTTP to a
                 real receiver in the parent process

Per request "on" makes: the ASGI server span (OpenTelemetryMiddleware,
traceparent extraction), the GraphQL operation span, and their export in the
batch processor's thread. `cpu us` is the worker's whole process CPU per
request (the export thread included), `in request` the part spent on the
request's own thread. The in-memory ports send no MongoDB or
Redis commands, so those spans (one each per command) are not in these
numbers: the `client span` row measures one on its own.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import bench_rounds, env_int, percentile, render_table
from tools.otlp_receiver import otlp_receiver

TITLE = "tracing_overhead: a subgraph request with tracing off and on (100% sampled)"

# The orders operations of graphql_overhead (its in-memory ports and contexts), by name.
OPERATIONS = ("orders: order(id)", "orders: _entities User.orders(first: 5)")
CLIENT_SPAN = "client span (one MongoDB/Redis command)"
VARIANTS = ("off", "on, 100%")
# Fewer than graphql_overhead's 2000 by default: a request here costs about 3x more.
DEFAULT_ITERATIONS = 1000


# -- the worker (one process per variant) ---------------------------------------------------


async def _orders_apps() -> dict[str, tuple[Any, bytes]]:
    """Per operation: the orders app (instrumented when tracing is on) and its request body.

    Each app's context factory gives the operation's own context (graphql_overhead's
    in-memory use cases, its caller), whatever the request says.
    """
    from bench.graphql_overhead import orders_operations
    from subgraphs.kernel.observability import telemetry
    from subgraphs.kernel.runtime.app import create_subgraph_app
    from subgraphs.orders.settings import OrdersSettings
    from subgraphs.orders.transport.schema import build_schema

    telemetry.setup("orders")
    settings = OrdersSettings(app_env="production")
    apps = {}
    for operation in await orders_operations():
        if operation.name not in OPERATIONS:
            continue
        app = create_subgraph_app(
            settings=settings,
            build_schema=build_schema,
            context=lambda request, operation=operation: operation.context(),
        )
        body = json.dumps({"query": operation.query, "variables": operation.variables()})
        apps[operation.name] = (telemetry.instrument_app(app), body.encode())
    missing = set(OPERATIONS) - apps.keys()
    if missing:
        raise SystemExit(f"graphql_overhead has no operation {missing}")
    return apps


def _request(app: Any, body: bytes) -> Callable[[], Any]:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 4002),
    }

    async def call() -> bytes:
        sent = False
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # never: the body was read
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(dict(scope), receive, send)
        return b"".join(chunks)

    return call


async def _worker() -> None:
    from opentelemetry import trace

    from subgraphs.kernel.observability import telemetry

    calls = {name: _request(*app) for name, app in (await _orders_apps()).items()}
    for name, call in calls.items():  # a wrong answer would measure nothing
        answer = json.loads(await call())
        if answer.get("errors") or not answer.get("data"):
            raise SystemExit(f"{name}: {answer}")
    tracer = trace.get_tracer("bench")
    for line in sys.stdin:
        name, count = json.loads(line)
        gc.collect()
        samples = []
        cpu_start, thread_start = time.process_time_ns(), time.thread_time_ns()
        if name == CLIENT_SPAN and not telemetry.enabled():
            for _ in range(count):  # off: no instrumentation is installed, nothing runs
                start = time.perf_counter_ns()
                samples.append(time.perf_counter_ns() - start)
        elif name == CLIENT_SPAN:
            with tracer.start_as_current_span("parent"):
                for _ in range(count):
                    start = time.perf_counter_ns()
                    with tracer.start_as_current_span("find", kind=trace.SpanKind.CLIENT) as span:
                        span.set_attribute("db.system", "mongodb")
                    samples.append(time.perf_counter_ns() - start)
        else:
            call = calls[name]
            for _ in range(count):
                start = time.perf_counter_ns()
                await call()
                samples.append(time.perf_counter_ns() - start)
        cpu, thread = time.process_time_ns() - cpu_start, time.thread_time_ns() - thread_start
        print(json.dumps({"samples": samples, "cpu": cpu, "thread": thread}), flush=True)
    provider = trace.get_tracer_provider()
    if hasattr(provider, "force_flush"):
        provider.force_flush()


# -- the driver -----------------------------------------------------------------------------


@dataclass
class Row:
    samples_ns: list[int] = field(default_factory=list)
    cpu_ns: int = 0
    thread_ns: int = 0


def _start(variant: str, endpoint: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    if variant != "off":
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
    return subprocess.Popen(
        [sys.executable, "-m", "bench.tracing_overhead", "--worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )


def _ask(worker: subprocess.Popen[str], name: str, count: int) -> dict[str, Any]:
    assert worker.stdin is not None
    assert worker.stdout is not None
    worker.stdin.write(json.dumps([name, count]) + "\n")
    worker.stdin.flush()
    line = worker.stdout.readline()
    if not line:
        raise SystemExit(f"a bench worker died (exit {worker.wait()})")
    answer: dict[str, Any] = json.loads(line)
    return answer


def run(*, smoke: bool = False) -> str:
    """Measure and return the table (`smoke`: a few requests per row, answers still checked)."""
    if smoke:
        iterations, warmup, rounds = 10, 2, 2
    else:
        iterations = env_int("BENCH_ITERATIONS", DEFAULT_ITERATIONS)
        warmup = env_int("BENCH_WARMUP", 200, minimum=0)
        rounds = bench_rounds()
    per_round = -(-iterations // rounds)
    started = time.perf_counter()
    names = [*OPERATIONS, CLIENT_SPAN]
    rows = {(name, variant): Row() for name in names for variant in VARIANTS}
    with otlp_receiver() as receiver:
        workers = {variant: _start(variant, receiver.endpoint) for variant in VARIANTS}
        try:
            for name in names:
                for worker in workers.values():
                    if warmup:
                        _ask(worker, name, warmup)
                for r in range(rounds):
                    order = VARIANTS[r % 2 :] + VARIANTS[: r % 2]
                    for variant in order:
                        answer = _ask(workers[variant], name, per_round)
                        rows[name, variant].samples_ns.extend(answer["samples"])
                        rows[name, variant].cpu_ns += answer["cpu"]
                        rows[name, variant].thread_ns += answer["thread"]
        finally:
            for worker in workers.values():
                assert worker.stdin is not None
                worker.stdin.close()
                worker.wait(timeout=60)
        exported = len(receiver.spans())
    return _report(
        rows,
        names,
        exported,
        iterations=per_round * rounds,
        warmup=warmup,
        rounds=rounds,
        elapsed=time.perf_counter() - started,
    )


def _report(
    rows: dict[tuple[str, str], Row],
    names: list[str],
    exported: int,
    *,
    iterations: int,
    warmup: int,
    rounds: int,
    elapsed: float,
) -> str:
    headers = (
        "request",
        "tracing",
        "mean us",
        "p50 us",
        "p99 us",
        "cpu us",
        "in request",
        "p50 +us",
        "cpu +us",
    )
    table = []
    for name in names:
        off = rows[name, "off"]
        off_p50 = percentile(sorted(off.samples_ns), 0.5) / 1000
        off_cpu = off.cpu_ns / len(off.samples_ns) / 1000
        for variant in VARIANTS:
            row = rows[name, variant]
            ordered = sorted(row.samples_ns)
            p50 = percentile(ordered, 0.5) / 1000
            cpu = row.cpu_ns / len(ordered) / 1000
            table.append(
                [
                    name if variant == VARIANTS[0] else "",
                    variant,
                    f"{sum(ordered) / len(ordered) / 1000:.1f}",
                    f"{p50:.1f}",
                    f"{percentile(ordered, 0.99) / 1000:.1f}",
                    f"{cpu:.1f}",
                    f"{row.thread_ns / len(ordered) / 1000:.1f}",
                    "-" if variant == "off" else f"{p50 - off_p50:+.1f}",
                    "-" if variant == "off" else f"{cpu - off_cpu:+.1f}",
                ]
            )
    load = os.getloadavg()[0]
    return "\n".join(
        [
            TITLE,
            f"python {platform.python_version()}; {os.cpu_count()} CPUs,"
            f" load average {load:.2f} at the end",
            f"the orders app's ASGI callable in process, one worker process per variant;"
            f" {iterations:,} timed requests per row in {rounds} interleaved rounds,"
            f" after {warmup} warm-up; {exported:,} spans exported; {elapsed:.1f} s",
            "",
            render_table(headers, table, left=2),
        ]
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        asyncio.run(_worker())
    else:
        print(run())
