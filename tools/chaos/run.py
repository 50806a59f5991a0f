"""One chaos run: a stack of its own on free ports, customers paced over the run, the faults."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from pathlib import Path

import httpx

from subgraphs.kernel.core.access import Scope
from testkit.journeys import Journey, OrderRejected, Retry
from testkit.prometheus import SUBSCRIPTIONS_METRIC, metric_sum, scrape
from testkit.tokens import mint_access_token
from testkit.waiting import TimedOut, eventually
from tools.chaos.customers import Customer, Stats
from tools.chaos.faults import Faults
from tools.chaos.outcome import Outcome, observe
from tools.chaos.plan import Plan
from tools.chaos.probe import Probe
from tools.chaos.report import Report, summarize
from tools.chaos.scenarios import scenario_of
from tools.chaos.stock import stock_up, stocking_tokens, units_per_product
from tools.chaos.stripe_check import check_provider
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
    "USERS_LOGIN_PER_ADDRESS": "0",
    "USERS_SIGNUP_PER_ADDRESS": "0",
    "GATEWAY_RATE_MUTATIONS_PER_MINUTE": "0",
    "GATEWAY_RATE_REQUESTS_PER_SECOND": "0",
}


# Refunds are staff's: until staff accounts sign in, the run mints a support member's token
# with the stack's users signing key (long enough for the whole run); the run's products are
# created by a catalog staff member's token minted the same way.
STAFF_TOKEN_SECONDS = 6 * 3600


def stack_env(plan: Plan) -> dict[str, str]:
    """STACK_ENV, and unpaid orders expiring after the plan's reservation TTL."""
    return {
        **STACK_ENV,
        "ORDERS_RESERVATION_TTL_SECONDS": f"{plan.reservation_ttl:g}",
        "ORDERS_EXPIRY_INTERVAL_SECONDS": "2",
    }


def staff_token(stack: Stack) -> str:
    pem = Path(stack.env["USERS_SIGNING_KEY_FILE"]).read_bytes()
    return mint_access_token(
        pem, "staff-chaos", scopes=[Scope.REFUNDS_DECIDE], ttl_seconds=STAFF_TOKEN_SECONDS
    )


async def drive(plan: Plan, stack: Stack, running: Running, report: Report) -> None:
    """The customers and the faults at the same time, then the wait for the system to settle."""
    stats = Stats()
    staff = staff_token(stack)
    gateway = running.gateway.removesuffix("/graphql")
    faults = Faults(stack, running, stats)
    tag = uuid.uuid4().hex[:6]
    provider = {**os.environ, **stack.env}.get("PAYMENTS_PROVIDER_KIND") or "sandbox"
    stop_probe, stop_watchers = asyncio.Event(), asyncio.Event()
    async with httpx.AsyncClient(
        base_url=gateway, timeout=30, limits=httpx.Limits(max_connections=200)
    ) as http:
        journey = Journey(http, deadline=plan.step_deadline, tallies=stats.tallies)
        units = units_per_product(plan.orders, plan.products, plan.stock_share)
        catalog_staff, probe_customer = stocking_tokens(stack.env["USERS_SIGNING_KEY_FILE"], tag)
        skus = await stock_up(journey, catalog_staff, probe_customer, tag, units)
        say(f"[chaos] {sum(units)} units of {len(units)} products for {plan.orders} orders")
        customers = [
            Customer(
                index=i,
                email=f"chaos-{tag}-{i}@example.com",
                scenario=scenario_of(i, provider),
                sku=skus[(i + i // 10) % len(skus)],  # every product gets every scenario
            )
            for i in range(plan.orders)
        ]
        stats.started = time.monotonic()  # the run's clock starts with the customers
        probe = Probe(gateway, stats)
        probe_task = asyncio.create_task(probe.run(stop_probe))
        orders = next(s for s in running.subgraphs if s.name == "orders")
        subscriptions = Subscriptions(
            http, f"http://127.0.0.1:{orders.internal_port}", stop_watchers
        )
        limit = asyncio.Semaphore(plan.concurrency)

        async def customer(c: Customer) -> None:
            await asyncio.sleep(c.index * plan.duration / plan.orders)
            async with limit:
                watch = c.index % plan.watch_every == 0
                await shop(journey, c, subscriptions if watch else None, gateway, staff)
            stats.done += 1

        reporter = asyncio.create_task(progress(plan, stats))
        await asyncio.gather(inject(plan, faults, stats, report), *map(customer, customers))
        reporter.cancel()
        driven = stats.t()
        say(f"[chaos t={driven:6.1f}s] every customer is done; waiting for the system to settle")
        outcome, problems = await settle(plan, journey, running, customers, probe, faults)
    settled = stats.t() - driven
    stop_watchers.set()
    await asyncio.gather(*(c.watcher.task for c in customers if c.watcher and c.watcher.task))
    stop_probe.set()
    await probe_task
    if provider == "stripe":
        env = {**os.environ, **stack.env}
        check = await asyncio.to_thread(
            check_provider, env["STRIPE_API_BASE"], env["STRIPE_API_KEY"], running.mongodb
        )
        problems += check.problems
    summarize(
        plan, report, stats, customers, outcome, problems, faults, probe, stack, running, skus
    )
    if provider == "stripe":
        report.add(check.summary())
    report.figures["settled_after"] = settled
    report.add(f"settled:       {settled:.1f} s after the last customer finished")


async def shop(
    journey: Journey,
    c: Customer,
    subscriptions: Subscriptions | None,
    gateway: str,
    staff_token: str,
) -> None:
    """One customer's journey: one unit of ``c.sku``; with ``subscriptions`` it watches its
    order before paying; a refunding scenario's payment is refunded by staff (``staff_token``),
    the unit back in stock. An order the catalog could not reserve is REJECTED: nothing to pay,
    the customer is done."""
    try:
        await journey.register(c)
        c.order_id = await journey.place_order(c, ({"sku": c.sku, "quantity": 1},))
        placed = time.monotonic()
        if subscriptions is not None:
            await subscriptions.watch(c, gateway)
            if c.watcher is not None:
                seen = await journey.state(c, c.order_id)
                c.watcher.status_when_registered = (seen or {}).get("status", "")
        try:
            payment = await journey.pay(c, c.order_id, c.scenario.card)
        except OrderRejected:
            c.rejected = True
            return
        c.paid_after = time.monotonic() - placed
        c.payment_id = payment["id"]
        if c.scenario.refunds:
            await journey.refund(staff_token, c.payment_id, restock=True)
    except (Retry, RuntimeError, KeyError, TypeError) as exc:
        c.failed = f"{type(exc).__name__}: {exc}"


# A subscriber stops at its scenario's last status, or at REJECTED (out of stock).
FINALS = frozenset({"REJECTED"})


class Subscriptions:
    """Subscribers, each one counted registered by the orders processes before its order is
    paid, so that a status it misses is a real miss."""

    def __init__(self, http: httpx.AsyncClient, orders: str, stop: asyncio.Event) -> None:
        self.http = http
        self.orders = orders  # the shared internal port: its /metrics sums every orders process
        self.stop = stop
        self.one_at_a_time = asyncio.Lock()  # so that the count going up is this subscriber

    async def registered(self) -> float | None:
        """Subscribers the orders processes have registered so far (None: no answer)."""
        try:
            return metric_sum(await scrape(self.http, self.orders), SUBSCRIPTIONS_METRIC)
        except httpx.HTTPError:
            return None

    async def watch(self, c: Customer, gateway: str) -> None:
        watcher = c.watcher = Watcher()
        async with self.one_at_a_time:
            before = await self.registered()
            task = watcher.task = asyncio.create_task(
                watcher.run(gateway, c.token, c.order_id, FINALS | {c.scenario.final}, self.stop)
            )

            async def counted_or_ended() -> str | None:
                nonlocal before
                now = await self.registered()
                if before is None:
                    before = now
                elif now is not None and now > before:
                    return "registered"
                return "ended" if task.done() else None

            try:
                seen = await eventually(counted_or_ended, timeout=30, interval=0.1)
            except TimedOut:
                seen = "not seen"
            watcher.unconfirmed = seen != "registered"


async def inject(plan: Plan, faults: Faults, stats: Stats, report: Report) -> None:
    """The faults one after another, spread over the middle 80% of the arrivals."""
    steps = faults.plan()
    first, span = plan.duration * 0.1, plan.duration * 0.8
    for n, step in enumerate(steps):
        at = first + span * n / max(len(steps) - 1, 1)
        await asyncio.sleep(max(0.0, at - stats.t()))
        try:
            await step()
        except Exception as exc:  # a fault that could not be injected is reported
            report.failures.append(f"fault {n + 1} failed: {exc!r}")


async def progress(plan: Plan, stats: Stats) -> None:
    while stats.done < plan.orders:
        await asyncio.sleep(10)
        retries = sum(stats.retries.values())
        say(
            f"[chaos t={stats.t():6.1f}s] {stats.done}/{plan.orders} customers done, "
            f"{retries} client retries so far"
        )


async def settle(
    plan: Plan,
    journey: Journey,
    running: Running,
    customers: list[Customer],
    probe: Probe,
    faults: Faults,
) -> tuple[Outcome, list[str]]:
    """Look until everything holds and latency is normal again, or ``plan.settle`` passed."""
    states_ok: set[int] = set()
    deadline = time.monotonic() + plan.settle
    while True:
        outcome = await observe(journey, running, customers, states_ok)
        problems = outcome.problems(customers)
        latency = probe.recovery(faults)
        back = latency is None or latency[2] is not None
        if (not problems and back) or time.monotonic() > deadline:
            return outcome, problems
        await asyncio.sleep(2.0)


def say(line: str) -> None:
    print(line, flush=True)


def run(plan: Plan, work: Path) -> Report:
    """Start a stack in ``work``, drive it under faults, stop it; the report."""
    report = Report()
    stack = Stack(log=lambda line: print(f"[stack] {line}", flush=True))
    stop = threading.Event()
    died: list[BaseException] = []
    config = free_layout(work / "data", work / "run", replicas=plan.replicas)
    try:
        running = start(stack, config, extra_env=stack_env(plan), redis_fsync_always=True)

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
