"""`make up` itself (python -m tools.stack), on free ports with two processes per service.

One stack for the module: parts are SIGKILLed and must come back while the
stack stays up; a second start must refuse and leave it alone; the replicas
share what must be shared (metrics, sign-in throttling); Ctrl-C stops it all.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.client import error_codes, subscribe
from testkit.journeys import LOGIN, Journey, Shopper, register, unique_email
from testkit.prometheus import SUBSCRIPTIONS_METRIC, metric_sum
from testkit.rollout_load import RolloutLoad, Tally
from testkit.waiting import eventually, eventually_sync
from tools.procs import ManagedProcess, http_ok
from tools.stack import LOCK_NAME, free_layout
from tools.stack.config import SUBGRAPH_INTERNAL_OFFSET

pytestmark = pytest.mark.integration

COMMANDS = "mongodb_commands_total"
ROOT = Path(__file__).resolve().parents[2]

DEADLINE = 120.0


def wait_for(condition: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    return eventually_sync(condition, timeout=timeout, what=what, interval=0.1)


@dataclass
class RunningStack:
    runner: ManagedProcess
    env: dict[str, str]
    lock: Path

    def info(self) -> dict[str, Any]:
        try:
            info: dict[str, Any] = json.loads(self.lock.read_text())
        except (OSError, ValueError):
            return {}
        return info

    def pid(self, part: str) -> int | None:
        pid: int | None = self.info().get("parts", {}).get(part, {}).get("pid")
        return pid

    def private(self, part: str) -> str:
        return f"http://127.0.0.1:{self.info()['parts'][part]['port']}"

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.env['STACK_BASE_PORT']}"

    def port(self, offset: int) -> int:
        return int(self.env["STACK_BASE_PORT"]) + offset

    def output(self) -> str:
        return self.runner.log_path.read_text(errors="replace")


def stack_runner(env: dict[str, str], log: Path, lock: Path) -> ManagedProcess:
    def running() -> bool:
        try:
            return bool(json.loads(lock.read_text()).get("state") == "running")
        except (OSError, ValueError):
            return False

    return ManagedProcess(
        "stack",
        [sys.executable, "-m", "tools.stack"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        log_path=log,
        ready=running,
        ready_timeout=400.0,
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    root = tmp_path_factory.mktemp("stack")
    env = free_layout(root / "data", root / "run", replicas=2).environ()
    lock = root / "data" / LOCK_NAME
    runner = stack_runner(env, root / "stack.log", lock)
    with runner:
        running = RunningStack(runner, env, lock)
        yield running
        pids = [p["pid"] for p in running.info()["parts"].values() if p["pid"]]
        # Ctrl-C: every part stops, then the runner, with status 0.
        os.kill(runner.pid, signal.SIGINT)  # type: ignore[arg-type]
        assert runner.wait(60) == 0, running.output()[-3000:]
        assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in pids)
        assert "stopped" in running.output()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] in "ZX"
    except FileNotFoundError:
        return True


def graphql_ok(url: str) -> bool:
    try:
        response = httpx.post(f"{url}/graphql", json={"query": "{ products { sku } }"}, timeout=5)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and bool(response.json().get("data", {}).get("products"))


@pytest.mark.parametrize(
    "part", ["orders-1", "notifications-worker-2", "gateway-1", "redis", "mongodb"]
)
def test_a_part_killed_with_sigkill_comes_back_and_the_stack_stays_up(
    stack: RunningStack, part: str
) -> None:
    before = stack.pid(part)
    assert before is not None, stack.info()
    others = {n: p["pid"] for n, p in stack.info()["parts"].items() if n != part}

    os.kill(before, signal.SIGKILL)

    wait_for(lambda: stack.pid(part) not in (None, before), f"{part} to be restarted")
    out = stack.output()
    assert f"supervisor: {part} was killed by SIGKILL; restarting in" in out
    assert f"supervisor: {part} is back (pid {stack.pid(part)})" in out
    assert stack.runner.alive
    # Nothing else was restarted for it, and the gateway answers again.
    assert {n: p["pid"] for n, p in stack.info()["parts"].items() if n != part} == others
    wait_for(lambda: graphql_ok(stack.gateway), "the gateway to answer")
    for name in ("orders-1", "orders-2", "notifications-worker-1", "notifications-worker-2"):
        url = f"{stack.private(name)}/ready"
        wait_for(partial(http_ok, url), f"{name} ready")


def test_a_second_stack_says_it_is_running_and_touches_nothing(
    stack: RunningStack, tmp_path: Path
) -> None:
    before = stack.info()["parts"]
    second = stack_runner(stack.env, tmp_path / "second.log", tmp_path / "unused")
    second.start()
    assert second.wait(120) == 1
    said = second.log_tail()
    assert f"the stack is already running (pid {stack.runner.pid}" in said
    assert stack.gateway.replace("127.0.0.1", "localhost") in said
    assert "mongodb" not in said.split("nothing was started")[1].split("it serves")[0]
    assert stack.info()["parts"] == before
    assert stack.runner.alive
    assert graphql_ok(stack.gateway)


def test_metrics_on_the_shared_port_count_every_process(stack: RunningStack) -> None:
    me = register_through(stack.gateway)
    token = me["accessToken"]
    query = {"query": 'query { order(id: "65a000000000000000000000") { id } }'}
    headers = {"authorization": f"Bearer {token}"}
    finds = {"collection": "orders", "command": "find", "database": "orders"}

    def total(url: str) -> float:
        return metric_sum(httpx.get(f"{url}/metrics", timeout=5).text, COMMANDS, **finds)

    start = total(stack.private("orders-2"))
    for _ in range(20):  # to orders-1 only
        answer = httpx.post(
            f"{stack.private('orders-1')}/graphql", json=query, headers=headers, timeout=10
        )
        assert answer.json()["data"] == {"order": None}
    # orders-2 received none of them, yet its /metrics counts them.
    wait_for(lambda: total(stack.private("orders-2")) >= start + 20, "orders-2 to report them")
    shared = f"http://127.0.0.1:{stack.port(2 + SUBGRAPH_INTERNAL_OFFSET)}"  # orders, internal
    assert total(shared) >= start + 20


def test_sign_in_throttling_is_shared_by_the_users_processes(stack: RunningStack) -> None:
    email = unique_email("throttle")
    register_through(stack.gateway, email=email)
    replicas = [stack.private("users-1"), stack.private("users-2")]
    wrong = {"query": LOGIN, "variables": {"input": {"email": email, "password": "wrong-pass-1"}}}
    for attempt in range(5):  # alternating processes: each saw at most 3
        body = httpx.post(f"{replicas[attempt % 2]}/graphql", json=wrong, timeout=30).json()
        assert [e["code"] for e in body["data"]["login"]["userErrors"]] == ["INVALID_CREDENTIALS"]
    right = {"query": LOGIN, "variables": {"input": {"email": email, "password": "password-123"}}}
    for replica in replicas:
        body = httpx.post(f"{replica}/graphql", json=right, timeout=30).json()
        codes = [e["code"] for e in body["data"]["login"]["userErrors"]] or error_codes(body)
        assert codes == ["RATE_LIMITED"], body


def test_both_gateway_processes_accept_on_the_shared_port(stack: RunningStack) -> None:
    """The runner's socket is shared: connections to the gateway's port reach both processes
    (each counts the requests it was given, on its own internal listener)."""
    gateways = pids_of(stack, "gateway")
    assert len(gateways) == 2, gateways
    assert all(gateways.values()), gateways

    def served(name: str) -> float:
        scrape = httpx.get(f"{stack.private(name)}/metrics", timeout=5).text
        return metric_sum(scrape, "gateway_http_requests")

    before = {name: served(name) for name in gateways}

    def both_served() -> bool:
        # A new connection each: the kernel hands each one to one of the accepting processes.
        for _ in range(10):
            assert httpx.get(f"{stack.gateway}/health", timeout=5).status_code == 200
        return all(served(name) > before[name] for name in gateways)

    wait_for(both_served, "requests through the shared port to reach both gateway processes")


def register_through(gateway: str, *, email: str | None = None) -> dict[str, Any]:
    import asyncio

    async def go() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
            return await register(client, email=email)

    return asyncio.run(go())


STATUS = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { status previousStatus } }"


def test_every_orders_process_tells_its_subscribers_and_each_event_is_published_once(
    stack: RunningStack,
) -> None:
    import asyncio

    import redis as sync_redis

    shared_metrics = f"http://127.0.0.1:{stack.port(2 + SUBGRAPH_INTERNAL_OFFSET)}/metrics"

    def registered() -> float:
        """Subscribers registered by the orders processes (the shared internal port sums them)."""
        return metric_sum(httpx.get(shared_metrics, timeout=5).text, SUBSCRIPTIONS_METRIC)

    async def go() -> tuple[list[dict[str, Any]], str]:
        async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as gw:
            journey = Journey(gw, deadline=DEADLINE)
            shopper = await journey.register(Shopper(email=unique_email("stack")))
            order_id = await journey.place_order(shopper)
            token = shopper.token
            before = registered()
            urls = [f"{stack.private(n)}/graphql" for n in ("orders-1", "orders-2")]
            async with (
                subscribe(urls[0], STATUS, {"id": order_id}, token=token) as one,
                subscribe(urls[1], STATUS, {"id": order_id}, token=token) as two,
            ):
                # One subscriber registered on each process: from then on they miss nothing.
                async def both_registered() -> bool:
                    return registered() >= before + 2

                await eventually(
                    both_registered, timeout=DEADLINE, what="the subscriptions to start"
                )
                payment = await journey.pay(shopper, order_id)  # retried until payments knows it
                assert payment["status"] == "SUCCEEDED", payment
                seen = [await one.next(60), await two.next(60)]
            return seen, order_id

    seen, order_id = asyncio.run(go())
    expected = {"status": "PAID", "previousStatus": "PENDING"}
    assert [s["data"]["orderStatusChanged"] for s in seen] == [expected, expected]

    # The two orders processes each run an outbox relay: the lease lets one publish.
    client = sync_redis.Redis.from_url(stack.env["REDIS_URL"], decode_responses=True)
    try:
        entries: list[tuple[str, dict[str, str]]] = client.xrange("events.orders")  # type: ignore[assignment]
    finally:
        client.close()
    ids = [fields["id"] for _, fields in entries]
    mine = [fields["type"] for _, fields in entries if order_id in fields["payload"]]
    assert len(ids) == len(set(ids))
    assert sorted(mine) == ["orders.created", "orders.paid"]


def test_both_web_apps_are_served_and_their_urls_printed(stack: RunningStack) -> None:
    # `make up` builds both before it starts the stack (make storefront, make backoffice).
    output = stack.output()
    gateway = f"http://localhost:{stack.env['STACK_BASE_PORT']}/graphql"
    apps = {"storefront": "STACK_STOREFRONT_PORT", "backoffice": "STACK_BACKOFFICE_PORT"}
    for name, setting in apps.items():
        url = f"http://localhost:{stack.env[setting]}"
        assert re.search(rf"^\s+{name}\s+{re.escape(url)}\b", output, re.MULTILINE), output
        response = httpx.get(f"{url}/config.json")
        assert response.json()["gatewayUrl"] == gateway
        assert "script-src 'self'" in response.headers["content-security-policy"]


def rollout(stack: RunningStack, service: str, *more: str) -> subprocess.CompletedProcess[str]:
    """`make rollout SERVICE=<service>` against this stack (its settings in the environment)."""
    return subprocess.run(
        [sys.executable, "-m", "tools.stack.rollout", service, *more],
        env={**os.environ, **stack.env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def pids_of(stack: RunningStack, prefix: str) -> dict[str, int | None]:
    return {
        name: part["pid"]
        for name, part in stack.info()["parts"].items()
        if name == prefix or re.fullmatch(rf"{re.escape(prefix)}-\d+", name)
    }


@pytest.mark.parametrize(
    ("service", "said"),
    [
        ("shipping", "unknown service 'shipping'"),
        ("orders --ready-timeout 0.001", "its successor did not get ready, so orders-1 keeps"),
    ],
)
def test_a_rollout_that_cannot_be_done_exits_1_and_leaves_every_process_serving(
    stack: RunningStack, service: str, said: str
) -> None:
    before = stack.info()["parts"]
    name, *more = service.split()

    result = rollout(stack, name, *more)

    assert result.returncode == 1, result.stdout + result.stderr
    assert said in result.stdout, result.stdout
    assert {n: p["pid"] for n, p in stack.info()["parts"].items()} == {
        n: p["pid"] for n, p in before.items()
    }
    assert graphql_ok(stack.gateway)


def test_a_rollout_without_a_running_stack_exits_1(tmp_path: Path) -> None:
    env = free_layout(tmp_path / "data", tmp_path / "run").environ()
    result = subprocess.run(
        [sys.executable, "-m", "tools.stack.rollout", "orders"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "no running stack" in result.stdout


def test_a_rollout_replaces_each_process_after_its_successor_is_ready(stack: RunningStack) -> None:
    before = pids_of(stack, "orders")
    assert len(before) == 2, before
    assert all(before.values()), before

    result = rollout(stack, "orders")

    assert result.returncode == 0, result.stdout + result.stderr
    after = pids_of(stack, "orders")
    assert set(after) == set(before)
    assert not set(after.values()) & set(before.values()), (before, after)
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if "serves; pid" in line] == [
        "orders-1",
        "orders-2",
    ], result.stdout
    assert all("exited with code 0" in line for line in lines if "serves; pid" in line)
    for name in after:
        wait_for(partial(http_ok, f"{stack.private(name)}/ready"), f"{name} ready")
    assert "supervisor: orders-1 replaced" in stack.output()


def rollouts_under_load(stack: RunningStack, services: list[str]) -> tuple[Tally, list[str]]:
    """Roll ``services`` over one after the other while `RolloutLoad` runs through the
    gateway; what the load saw and what each rollout printed."""
    import asyncio

    orders_internal = f"http://127.0.0.1:{stack.port(2 + SUBGRAPH_INTERNAL_OFFSET)}"

    async def go() -> tuple[Tally, list[str]]:
        async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as gw:
            journey = Journey(gw, deadline=DEADLINE)
            shoppers = [Shopper(email=unique_email("rollout")) for _ in range(2)]
            for shopper in shoppers:
                await journey.register(shopper)
        load = RolloutLoad(stack.gateway, [s.token for s in shoppers], orders_internal)
        stop = asyncio.Event()
        running = asyncio.create_task(load.run(stop))

        async def progressed(beyond: int) -> bool:
            if running.done():
                running.result()  # a flow that gave up: its error
            return load.tally.statuses_seen > beyond

        await eventually(partial(progressed, 1), timeout=DEADLINE, what="the load to run")
        printed = []
        for service in services:
            result = await asyncio.to_thread(rollout, stack, service)
            printed.append(result.stdout + result.stderr)
            assert result.returncode == 0, printed[-1]
            # Traffic went on after it: a couple more statuses seen.
            seen = load.tally.statuses_seen
            await eventually(partial(progressed, seen + 1), timeout=DEADLINE, what="more load")
        stop.set()
        return await running, printed

    return asyncio.run(go())


def assert_nothing_failed(tally: Tally) -> None:
    print(f"\nrollout load: {tally.summary()}")
    assert not tally.failed, tally.summary()
    assert tally.statuses_seen == tally.statuses_expected, tally.summary()
    assert tally.orders_stored == tally.orders_created, tally.summary()  # none doubled


def services_of(stack: RunningStack) -> list[str]:
    """The services the stack runs replicated (parts `<service>-<n>`: each context, the
    worker, the gateway), the gateway last: every request and WebSocket of the load goes
    through it."""
    names = {m[1] for n in stack.info()["parts"] if (m := re.fullmatch(r"(.+)-\d+", n))}
    return sorted(names, key=lambda name: (name == "gateway", name))


def test_a_rollout_of_every_service_under_load_fails_no_request_and_misses_no_status(
    stack: RunningStack,
) -> None:
    """Each service rolled over in turn while queries, keyed mutations and order-status
    subscribers run through the gateway: nothing failed or doubled, every status seen, and
    every old process drained and exited by itself (not killed at the end of its grace)."""
    services = services_of(stack)
    assert {"users", "orders", "notifications-worker", "gateway"} <= set(services), services
    before = {s: pids_of(stack, s) for s in services}
    assert all(len(pids) == 2 for pids in before.values()), before
    tally, printed = rollouts_under_load(stack, services)
    assert_nothing_failed(tally)
    stopped = [line for out in printed for line in out.splitlines() if "serves; pid" in line]
    assert len(stopped) == 2 * len(services), printed
    assert all("exited with code 0" in line for line in stopped), stopped
    for service, pids in before.items():
        assert not set(pids_of(stack, service).values()) & set(pids.values()), service
