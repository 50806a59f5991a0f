"""One chaos run: a stack of its own on free ports, customers paced over the run, the faults."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path

import httpx

from tools.chaos.client import Gateway, Retry, Stats
from tools.chaos.customers import Customer, Driver
from tools.chaos.faults import Faults
from tools.chaos.outcome import observe
from tools.chaos.plan import Plan
from tools.chaos.probe import Probe
from tools.chaos.report import Report, summarize
from tools.chaos.scenarios import scenario_of
from tools.chaos.watchers import Watcher
from tools.procs import http_ok
from tools.stack import PartDied, Running, Stack, free_layout, start

# Quick retries and short job timeouts, so a run recovers in seconds, not minutes.
STACK_ENV = {
    "STREAMS_RETRY_AFTER_MS": "1000",
    "NOTIFICATIONS_JOBS_POLL_DELAY_SECONDS": "0.05",
    "NOTIFICATIONS_JOBS_FIRST_RETRY_SECONDS": "0.2",
    "NOTIFICATIONS_JOBS_MAX_RETRY_SECONDS": "2",
    "NOTIFICATIONS_JOBS_MAX_ATTEMPTS": "40",
    "NOTIFICATIONS_JOBS_ATTEMPT_TIMEOUT_SECONDS": "3",
    "NOTIFICATIONS_JOBS_JOB_TIMEOUT_SECONDS": "5",
    "NOTIFICATIONS_JOBS_SWEEP_INTERVAL_SECONDS": "5",
    "NOTIFICATIONS_JOBS_STUCK_AFTER_SECONDS": "20",
    "SMTP_TIMEOUT_SECONDS": "3",
    # One client address places every order: the per-client limits are off (0).
    "GATEWAY_RATE_LOGIN_PER_MINUTE": "0",
    "GATEWAY_RATE_MUTATIONS_PER_MINUTE": "0",
    "GATEWAY_RATE_REQUESTS_PER_SECOND": "0",
}
SUBSCRIBERS_METRIC = "broadcast_subscriptions_total"


async def drive(plan: Plan, stack: Stack, running: Running, report: Report) -> None:
    stats = Stats()
    gateway = Gateway(running.gateway.removesuffix("/graphql"), stats)
    driver = Driver(gateway, stats, plan.step_deadline)
    faults = Faults(stack, running, stats)
    tag = uuid.uuid4().hex[:6]
    customers = [
        Customer(i, f"chaos-{tag}-{i}@example.com", scenario_of(i)) for i in range(plan.orders)
    ]
    stop_probe, stop_watchers = asyncio.Event(), asyncio.Event()
    probe = Probe(gateway.url, stats)
    probe_task = asyncio.create_task(probe.run(stop_probe))
    limit = asyncio.Semaphore(plan.concurrency)

    orders = next(s for s in running.subgraphs if s.name == "orders")
    orders_metrics = f"http://127.0.0.1:{orders.port}/metrics"
    one_at_a_time = asyncio.Lock()

    async def subscribers() -> float:
        """Subscribers the orders processes have registered so far (all of them: /metrics sums)."""
        try:
            text = (await gateway.http.get(orders_metrics, timeout=5)).text
        except httpx.HTTPError:
            return -1.0
        return sum(
            float(line.rpartition(" ")[2])
            for line in text.splitlines()
            if line.startswith(SUBSCRIBERS_METRIC)
        )

    async def watch(c: Customer) -> None:
        """Subscribe, and pay only once an orders process has registered the subscriber."""
        c.watcher = Watcher()
        final = c.scenario.final
        async with one_at_a_time:  # so that the count going up is this subscriber
            before = await subscribers()
            c.watcher.task = asyncio.create_task(
                c.watcher.run(gateway.url, c.token, c.order_id, final, stop_watchers)
            )
            deadline = time.monotonic() + 30
            while await subscribers() <= before or before < 0:
                if time.monotonic() > deadline or c.watcher.task.done():
                    c.watcher.unconfirmed = True
                    break
                if before < 0:
                    before = await subscribers()
                await asyncio.sleep(0.1)

    async def customer(c: Customer) -> None:
        await asyncio.sleep(c.index * plan.duration / plan.orders)
        async with limit:
            try:
                await driver.register(c)
                await driver.place_order(c)
                if c.index % plan.watch_every == 0:
                    await watch(c)
                await driver.pay(c)
                if c.scenario.refunds:
                    await driver.refund(c)
            except (Retry, RuntimeError, KeyError, TypeError) as exc:
                c.failed = f"{type(exc).__name__}: {exc}"
            stats.done += 1

    async def inject() -> None:
        steps = faults.plan()
        first, span = plan.duration * 0.1, plan.duration * 0.8
        for n, step in enumerate(steps):
            at = first + span * n / max(len(steps) - 1, 1)
            await asyncio.sleep(max(0.0, at - stats.t()))
            try:
                await step()
            except Exception as exc:  # a fault that could not be injected is reported
                report.failures.append(f"fault {n + 1} failed: {exc!r}")

    async def progress() -> None:
        while stats.done < plan.orders:
            await asyncio.sleep(10)
            retries = sum(stats.retries.values())
            print(
                f"[chaos t={stats.t():6.1f}s] {stats.done}/{plan.orders} customers done, "
                f"{retries} client retries so far",
                flush=True,
            )

    reporter = asyncio.create_task(progress())
    await asyncio.gather(inject(), *(customer(c) for c in customers))
    reporter.cancel()
    driven = stats.t()
    print(
        f"[chaos t={driven:6.1f}s] every customer is done; waiting for the system to settle",
        flush=True,
    )

    states_ok: set[int] = set()
    settle_deadline = time.monotonic() + plan.settle
    while True:
        outcome = await observe(driver, running, customers, states_ok)
        problems = outcome.problems(customers)
        latency = probe.recovery(faults)
        back = latency is None or latency[2] is not None
        if (not problems and back) or time.monotonic() > settle_deadline:
            break
        await asyncio.sleep(2.0)
    settled = stats.t() - driven
    stop_watchers.set()
    await asyncio.gather(*(c.watcher.task for c in customers if c.watcher and c.watcher.task))
    stop_probe.set()
    await probe_task
    await gateway.http.aclose()
    summarize(plan, report, stats, customers, outcome, problems, faults, probe, stack, running)
    report.figures["settled_after"] = settled
    report.add(f"settled:       {settled:.1f} s after the last customer finished")


def run(plan: Plan, work: Path) -> Report:
    """Start a stack in ``work``, drive it under faults, stop it; the report."""
    report = Report()
    stack = Stack(log=lambda line: print(f"[stack] {line}", flush=True))
    stop = threading.Event()
    died: list[BaseException] = []
    config = free_layout(work / "data", work / "run", replicas=plan.replicas)
    try:
        running = start(stack, config, extra_env=STACK_ENV, redis_fsync_always=True)

        def supervise() -> None:
            try:
                stack.watch(stop)
            except PartDied as exc:
                died.append(exc)

        supervisor = threading.Thread(target=supervise, name="supervisor", daemon=True)
        supervisor.start()
        assert http_ok(running.gateway.replace("/graphql", "/readiness"))
        asyncio.run(drive(plan, stack, running, report))
        stop.set()
        supervisor.join(10)
        if died:
            report.failures.append(f"the supervisor gave up: {died[0]}")
    finally:
        stop.set()
        stack.stop_all()
    return report
