"""`python -m tools.chaos` (`make chaos`): orders through the gateway while parts of the stack fail.

Starts a whole stack of its own (tools.stack: supervised, REPLICAS processes
per subgraph and worker, SecantusDB on disk, Redis with an append-only file
fsynced on every write, the SMTP sink) on free ports, never `make up`'s
ports nor the Redis on 6379. Then customers register, place one order each
and pay it through the gateway (one in ten declined, one in ten refunded
after paying; one in ten watches its order over a WebSocket subscription),
paced over the run, while these faults happen one after another:

  1. SIGKILL an orders process while createOrder requests are in flight
  2. SIGKILL a payments process while processPayment requests are in flight
  3. SIGKILL a worker in the middle of an SMTP send (the sink holds its reply
     to DATA after storing the message: accepted, never acknowledged)
  4. Redis stopped with SIGTERM (the supervisor starts it again)
  5. SecantusDB frozen for 5 s (SIGSTOP, then SIGCONT)
  6. Redis killed with SIGKILL (appendfsync always: nothing acknowledged is lost)
  7. SecantusDB stopped with SIGTERM and started again on its data folder
  8. the SMTP sink away for 10 s
  9. the gateway stopped with SIGTERM (the supervisor starts it again)

A customer who watches its order pays only once the orders processes count
the subscriber as registered (`broadcast_subscriptions_total`, which
`/metrics` on the shared port sums over the processes), so a status it
misses is a real miss. Customers behave like careful clients: they retry what failed (a payment or
refund with the same idempotency key; an order only after checking that
none was created). When every customer is done, the run waits (up to
--settle seconds) for the system to settle and prints the report: every
order in a terminal state that orders and payments agree on; per customer
exactly its mails as distinct Message-IDs at the sink (verify,
confirmation, then receipt, payment-failed notice or receipt and refund);
the resends of a message already accepted (same Message-ID, harmless; SMTP
cannot be exactly once), with their window; outboxes drained; dead-letter
streams empty and no pending entries; subscribers that stayed connected saw
every status of their order in order; how long after the last fault the
gateway's latency was back to normal. Exit status 0 when everything holds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pymongo
import redis
import websockets
from websockets.typing import Subprotocol

from tools import stack as stack_module
from tools.dead_letters import DeadLetters
from tools.procs import http_ok
from tools.stack import PartDied, Running, Stack, StackConfig, free_layout_in_environ

ROOT = Path(__file__).resolve().parents[1]

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
    "USERS_LOGIN_PER_ADDRESS": "0",
    "USERS_SIGNUP_PER_ADDRESS": "0",
}

PASSWORD = f"chaos-{uuid.uuid4().hex[:12]}"  # throwaway accounts of one run
CLIENT_CODES = {"BAD_USER_INPUT", "FORBIDDEN"}
RETRYABLE_USER_ERRORS = {
    "ORDER_NOT_FOUND_YET",
    "PAYMENT_IN_PROGRESS",
    "PROVIDER_UNAVAILABLE",
    "REFUND_IN_PROGRESS",
    "RATE_LIMITED",
    "CONCURRENT_UPDATE",
}

REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  accessToken user { id } userErrors { code message retryable } } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) {
  accessToken user { id } userErrors { code message retryable } } }"""
CREATE = """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
  order { id status } userErrors { code message } } }"""
MY_ORDERS = "{ me { orders(first: 5) { edges { node { id status } } } } }"
PAY = """mutation($input: ProcessPaymentInput!) { processPayment(input: $input) {
  payment { id status } userErrors { code message } } }"""
REFUND = """mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id status } userErrors { code message } } }"""
STATE = "query($id: ID!) { order(id: $id) { id status payment { id status } } }"
SUBSCRIBERS_METRIC = "broadcast_subscriptions_total"
STATUS_FEED = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }"
PROBE = {"query": "{ products { sku } }"}

# scenario -> card, the order's and the payment's terminal status, the mails, what a watcher sees
SCENARIOS: dict[str, tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = {
    "paid": ("pm_card_ok", "PAID", "SUCCEEDED", ("verify", "confirmation", "receipt"), ("PAID",)),
    "declined": (
        "pm_card_declined",
        "PAYMENT_FAILED",
        "FAILED",
        ("verify", "confirmation", "payment_failed"),
        ("PAYMENT_FAILED",),
    ),
    "refunded": (
        "pm_card_ok",
        "REFUNDED",
        "REFUNDED",
        ("verify", "confirmation", "receipt", "refund"),
        ("PAID", "REFUNDED"),
    ),
}
SUBJECTS = [
    (re.compile(r"^Confirm your email address"), "verify"),
    (re.compile(r"^Order .* received$"), "confirmation"),
    (re.compile(r"^Receipt for order "), "receipt"),
    (re.compile(r"^Payment failed for order "), "payment_failed"),
    (re.compile(r"^Refund for order "), "refund"),
]
# The note to an address's owner that someone signed up with it: a register retried after its
# first attempt had created the account (the answer was lost) rightly sends one. Not counted.
SIGN_UP_ATTEMPT = re.compile(r"^Someone tried to sign up with your address")


def scenario_of(i: int) -> str:
    return {3: "declined", 7: "refunded"}.get(i % 10, "paid")


def counted(mails: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mails a customer's scenario accounts for (all but sign-up-attempt notes)."""
    return [m for m in mails if not SIGN_UP_ATTEMPT.search(m["subject"])]


def kind_of(subject: str) -> str:
    for pattern, kind in SUBJECTS:
        if pattern.search(subject):
            return kind
    return f"other: {subject}"


class Retry(Exception):
    """A request whose outcome is unknown or failed for a passing reason."""


class Unauthenticated(Exception):
    pass


# ------------------------------------------------------------------ the clients


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    retries: Tally[str] = field(default_factory=Tally)
    causes: Tally[str] = field(default_factory=Tally)
    inflight: Tally[str] = field(default_factory=Tally)
    done: int = 0

    def t(self) -> float:
        return time.monotonic() - self.started


class Gateway:
    """GraphQL over HTTP to the gateway, classifying failures as Retry or final."""

    def __init__(self, url: str, stats: Stats) -> None:
        self.url = url
        self.stats = stats
        self.http = httpx.AsyncClient(
            base_url=url, timeout=30, limits=httpx.Limits(max_connections=200)
        )

    async def call(
        self, op: str, query: str, variables: dict[str, Any] | None, token: str | None
    ) -> dict[str, Any]:
        """The operation's `data`; Retry when unknown or transient, Unauthenticated, or final."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self.stats.inflight[op] += 1
        try:
            response = await self.http.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
        except httpx.HTTPError as exc:
            raise Retry(f"{op}: {type(exc).__name__}") from exc
        finally:
            self.stats.inflight[op] -= 1
        if response.status_code >= 500 or response.status_code == 429:
            raise Retry(f"{op}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise Retry(f"{op}: not JSON (HTTP {response.status_code})") from exc
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        if "UNAUTHENTICATED" in codes:
            raise Unauthenticated(op)
        data = body.get("data")
        if codes or not data or any(v is None for v in data.values()):
            if set(codes) & CLIENT_CODES:
                raise RuntimeError(f"{op} refused: {body.get('errors')}")
            raise Retry(f"{op}: {codes or 'no data'}")
        result: dict[str, Any] = data
        return result


async def backoff(attempt: int) -> None:
    await asyncio.sleep(min(0.2 * 1.5**attempt, 2.0))


@dataclass
class Customer:
    index: int
    email: str
    scenario: str
    token: str = ""
    user_id: str = ""
    order_id: str = ""
    payment_id: str = ""
    failed: str = ""
    watcher: Watcher | None = None


class Driver:
    """Runs customers through the gateway, retrying like a careful client."""

    def __init__(self, gateway: Gateway, stats: Stats, deadline: float) -> None:
        self.gw = gateway
        self.stats = stats
        self.step_deadline = deadline

    async def _retrying(self, op: str, attempt: Callable[[], Awaitable[Any]]) -> Any:
        deadline = time.monotonic() + self.step_deadline
        tries = 0
        while True:
            try:
                return await attempt()
            except Retry as exc:
                if time.monotonic() > deadline:
                    raise
                self.stats.retries[op] += 1
                self.stats.causes[str(exc)[:80]] += 1
                await backoff(tries)
                tries += 1

    async def _authed(self, c: Customer, op: str, query: str, variables: dict[str, Any]) -> Any:
        try:
            return await self.gw.call(op, query, variables, c.token)
        except Unauthenticated:
            await self.sign_in(c)
            raise Retry(f"{op}: signed in again") from None

    async def sign_in(self, c: Customer) -> None:
        async def once() -> None:
            data = await self.gw.call(
                "login", LOGIN, {"input": {"email": c.email, "password": PASSWORD}}, None
            )
            payload = data["login"]
            if payload["userErrors"]:
                raise Retry(f"login: {payload['userErrors']}")
            c.token, c.user_id = payload["accessToken"], payload["user"]["id"]

        await self._retrying("login", once)

    async def register(self, c: Customer) -> None:
        async def once() -> None:
            variables = {"input": {"email": c.email, "password": PASSWORD, "name": "Chaos"}}
            data = await self.gw.call("register", REGISTER, variables, None)
            payload = data["register"]
            errors = payload["userErrors"]
            if errors and all(e["retryable"] for e in errors):  # e.g. its throttle's store down
                raise Retry(f"register: {errors}")
            if errors:
                raise RuntimeError(f"register: {errors}")
            if payload["accessToken"] is None:  # the email is taken: an earlier attempt did it
                await self.sign_in(c)
                return
            c.token, c.user_id = payload["accessToken"], payload["user"]["id"]

        await self._retrying("register", once)

    async def place_order(self, c: Customer) -> None:
        async def existing() -> str | None:
            data = await self._authed(c, "me.orders", MY_ORDERS, {})
            edges = data["me"]["orders"]["edges"]
            return str(edges[0]["node"]["id"]) if edges else None

        async def once() -> None:
            variables = {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}], "currency": "USD"}}
            try:
                data = await self._authed(c, "createOrder", CREATE, variables)
            except Retry:
                # Unknown outcome: an order may have been created. Look before trying again.
                found = await self._retrying("me.orders", existing)
                if found:
                    c.order_id = found
                    return
                raise
            payload = data["createOrder"]
            if payload["userErrors"]:
                raise RuntimeError(f"createOrder: {payload['userErrors']}")
            c.order_id = payload["order"]["id"]

        await self._retrying("createOrder", once)

    async def pay(self, c: Customer) -> None:
        card = SCENARIOS[c.scenario][0]
        key = f"pay-{c.email}"

        async def once() -> None:
            variables = {
                "input": {"orderId": c.order_id, "paymentMethodToken": card, "idempotencyKey": key}
            }
            payload = (await self._authed(c, "processPayment", PAY, variables))["processPayment"]
            codes = {e["code"] for e in payload["userErrors"]}
            if codes & RETRYABLE_USER_ERRORS:
                raise Retry(f"processPayment: {codes}")
            if codes == {"ALREADY_PAID"}:
                state = (await self._authed(c, "order", STATE, {"id": c.order_id}))["order"]
                c.payment_id = state["payment"]["id"]
                return
            if codes:
                raise RuntimeError(f"processPayment: {payload['userErrors']}")
            c.payment_id = payload["payment"]["id"]

        await self._retrying("processPayment", once)

    async def refund(self, c: Customer) -> None:
        key = f"refund-{c.email}"

        async def once() -> None:
            variables = {"input": {"paymentId": c.payment_id, "idempotencyKey": key}}
            payload = (await self._authed(c, "refundPayment", REFUND, variables))["refundPayment"]
            codes = {e["code"] for e in payload["userErrors"]}
            if codes & RETRYABLE_USER_ERRORS:
                raise Retry(f"refundPayment: {codes}")
            if codes and codes != {"ALREADY_REFUNDED"}:
                raise RuntimeError(f"refundPayment: {payload['userErrors']}")

        await self._retrying("refundPayment", once)

    async def state(self, c: Customer) -> dict[str, Any] | None:
        async def once() -> Any:
            return (await self._authed(c, "order", STATE, {"id": c.order_id}))["order"]

        found: dict[str, Any] | None = await self._retrying("order", once)
        return found

    async def order_count(self, c: Customer) -> int:
        async def once() -> int:
            data = await self._authed(c, "me.orders", MY_ORDERS, {})
            return len(data["me"]["orders"]["edges"])

        count: int = await self._retrying("me.orders", once)
        return count


@dataclass
class Watcher:
    """One subscriber of orderStatusChanged for one order, through the gateway."""

    statuses: list[str] = field(default_factory=list)
    connected: bool = False
    unconfirmed: bool = False  # the subscriber was not seen registered within 30 s
    dropped: str = ""
    task: asyncio.Task[None] | None = None

    async def run(
        self, url: str, token: str, order_id: str, final: str, stop: asyncio.Event
    ) -> None:
        ws_url = url.replace("http://", "ws://", 1) + "/graphql"
        try:
            async with websockets.connect(
                ws_url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=20
            ) as ws:
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                await ws.send(json.dumps(init))
                ack = json.loads(await asyncio.wait_for(ws.recv(), 20))
                if ack.get("type") != "connection_ack":
                    self.dropped = f"no ack: {ack}"
                    return
                subscribe = {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": STATUS_FEED, "variables": {"id": order_id}},
                }
                await ws.send(json.dumps(subscribe))
                self.connected = True
                while not stop.is_set():
                    try:
                        raw = await asyncio.wait_for(ws.recv(), 1.0)
                    except TimeoutError:
                        continue
                    message = json.loads(raw)
                    if message["type"] == "ping":
                        await ws.send(json.dumps({"type": "pong"}))
                    elif message["type"] == "next":
                        payload = message["payload"]
                        if payload.get("errors"):
                            self.dropped = f"errors: {payload['errors']}"
                            return
                        self.statuses.append(payload["data"]["orderStatusChanged"]["status"])
                        if self.statuses[-1] == final:
                            return
                    elif message["type"] in ("error", "complete"):
                        self.dropped = f"{message['type']}: {message.get('payload')}"
                        return
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            self.dropped = f"connection lost ({type(exc).__name__})"


# ---------------------------------------------------------------------- faults


@dataclass
class Fault:
    name: str
    at: float = 0.0  # seconds since start
    recovered_after: float | None = None
    note: str = ""


class Faults:
    """The faults, injected into a running stack one after another."""

    def __init__(self, stack: Stack, running: Running, stats: Stats) -> None:
        self.stack = stack
        self.running = running
        self.stats = stats
        self.log: list[Fault] = []
        self.last_end = 0.0

    def pid(self, name: str) -> int:
        pid = self.stack.part(name).pid
        assert pid is not None, name
        return pid

    async def until(self, condition: Callable[[], bool], timeout: float = 120.0) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    async def back(self, name: str, old_pid: int, began: float, fault: Fault) -> None:
        def up() -> bool:
            part = self.stack.part(name)
            return part.pid != old_pid and self.stack.is_up(name)

        if await self.until(up, 180):
            fault.recovered_after = time.monotonic() - began
        else:
            fault.note += " (not back after 180 s)"

    def _start(self, name: str) -> tuple[Fault, float]:
        fault = Fault(name, at=self.stats.t())
        self.log.append(fault)
        print(f"[chaos t={fault.at:6.1f}s] {name}", flush=True)
        return fault, time.monotonic()

    def _end(self) -> None:
        self.last_end = time.monotonic()

    async def kill_mid_request(self, service: str, op: str) -> None:
        name = self.stack.names(service)[0]
        fault, began = self._start(f"SIGKILL {name} while {op} requests are in flight")
        await self.until(lambda: self.stats.inflight[op] > 0, 30)
        fault.note = f"{self.stats.inflight[op]} {op} in flight"
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        await self.back(name, pid, began, fault)
        self._end()

    async def kill_worker_mid_send(self) -> None:
        fault, began = self._start("SIGKILL a worker in the middle of an SMTP send")
        assert self.running.smtp_sink is not None
        sink = self.running.smtp_sink.rsplit("/messages", 1)[0]
        maildir = self.running.config.data_dir / "mail"
        workers = {self.pid(n): n for n in self.stack.names("notifications-worker")}
        smtp_port = self.running.config.smtp_port
        async with httpx.AsyncClient(timeout=10) as http:
            stored = len(list(maildir.glob("*.eml")))
            await http.put(f"{sink}/hold")
            victim: int | None = None
            try:

                def sending() -> bool:
                    nonlocal victim
                    if len(list(maildir.glob("*.eml"))) <= stored:
                        return False  # nothing accepted (and held) yet
                    owners = pids_connected_to(smtp_port, set(workers))
                    victim = owners[0] if owners else None
                    return victim is not None

                if await self.until(sending, 60) and victim is not None:
                    os.kill(victim, signal.SIGKILL)
                    fault.note = f"{workers[victim]} (pid {victim}) killed with a message held"
            finally:
                await http.delete(f"{sink}/hold")
        if victim is None:
            fault.note = "no send was caught in flight within 60 s"
            return
        await self.back(workers[victim], victim, began, fault)
        self._end()

    async def restart(self, name: str, sig: signal.Signals, label: str) -> None:
        fault, began = self._start(label)
        pid = self.pid(name)
        os.kill(pid, sig)
        await self.back(name, pid, began, fault)
        self._end()

    async def freeze(self, name: str, seconds: float) -> None:
        fault, began = self._start(f"SIGSTOP {name} for {seconds:g}s, then SIGCONT")
        pid = self.pid(name)
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(seconds)
        finally:
            os.kill(pid, signal.SIGCONT)
        fault.recovered_after = time.monotonic() - began
        self._end()

    async def away(self, name: str, seconds: float) -> None:
        fault, began = self._start(f"{name} away for {seconds:g}s")
        pid = self.pid(name)
        await asyncio.to_thread(self.stack.hold, name)
        await asyncio.sleep(seconds)
        self.stack.release(name)
        await self.back(name, pid, began, fault)
        self._end()

    def plan(self) -> list[Callable[[], Awaitable[None]]]:
        return [
            lambda: self.kill_mid_request("orders", "createOrder"),
            lambda: self.kill_mid_request("payments", "processPayment"),
            self.kill_worker_mid_send,
            lambda: self.restart("redis", signal.SIGTERM, "Redis stopped with SIGTERM"),
            lambda: self.freeze("mongodb", 5),
            lambda: self.restart(
                "redis", signal.SIGKILL, "Redis killed with SIGKILL (appendfsync always)"
            ),
            lambda: self.restart(
                "mongodb", signal.SIGTERM, "SecantusDB stopped with SIGTERM (data on disk)"
            ),
            lambda: self.away("smtp-sink", 10),
            lambda: self.restart("gateway", signal.SIGTERM, "gateway stopped with SIGTERM"),
        ]


def pids_connected_to(port: int, candidates: set[int]) -> list[int]:
    """Which of ``candidates`` hold an established TCP connection to 127.0.0.1:``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if remote_port == port and fields[3] == "01":  # ESTABLISHED
                    inodes.add(f"socket:[{fields[9]}]")
    owners = []
    for pid in candidates:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        owners.append(pid)
                        break
    return owners


# ------------------------------------------------------------------ the checks


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    figures: dict[str, float | int | None] = field(default_factory=dict)

    def add(self, text: str) -> None:
        self.lines.append(text)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)

    @property
    def passed(self) -> bool:
        return not self.failures

    def text(self) -> str:
        verdict = "PASS" if self.passed else "FAIL: " + "; ".join(self.failures)
        return "\n".join([*self.lines, f"result: {verdict}"])


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

    def problems(self, customers: list[Customer]) -> list[str]:
        found = []
        for c in customers:
            if c.failed:
                found.append(f"customer {c.index} gave up: {c.failed}")
                continue
            _, order_status, payment_status, kinds, _ = SCENARIOS[c.scenario]
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
        return found


async def observe(
    driver: Driver, running: Running, customers: list[Customer], states_ok: set[int]
) -> Outcome:
    """One look at everything the report checks (order states only where not final yet)."""
    states: dict[int, dict[str, Any] | None] = {}
    counts: dict[int, int] = {}
    limit = asyncio.Semaphore(20)

    async def look(c: Customer) -> None:
        if c.failed or not c.order_id:
            return
        async with limit:
            states[c.index] = await driver.state(c)
            if c.index not in states_ok:
                counts[c.index] = await driver.order_count(c)
            expected = SCENARIOS[c.scenario][1:3]
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
    )


def outbox_backlog(uri: str) -> dict[str, int]:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        uri, serverSelectionTimeoutMS=10_000
    )
    try:
        return {
            db: client[db]["outbox"].count_documents({"published": False})
            for db in ("users", "orders", "payments")
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


# --------------------------------------------------------------------- the run


@dataclass
class Plan:
    orders: int = 1000
    replicas: int = 2
    duration: float = 150.0  # the customers' arrivals are spread over this many seconds
    settle: float = 240.0  # after the last customer, how long the system may take to settle
    watch_every: int = 10  # one customer in this many subscribes to its order
    concurrency: int = 40
    step_deadline: float = 300.0


class Probe:
    """Latency of a light query through the gateway, every 0.25 s."""

    def __init__(self, url: str, stats: Stats) -> None:
        self.url = url
        self.stats = stats
        self.samples: list[tuple[float, float | None]] = []  # (t, seconds or None: failed)

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as http:
            while not stop.is_set():
                began = time.monotonic()
                try:
                    response = await http.post("/graphql", json=PROBE)
                    ok = response.status_code == 200 and "errors" not in response.json()
                except (httpx.HTTPError, ValueError):
                    ok = False
                self.samples.append(
                    (began - self.stats.started, time.monotonic() - began if ok else None)
                )
                await asyncio.sleep(0.25)

    def baseline(self, before: float) -> float | None:
        values = [s for t, s in self.samples if t < before and s is not None]
        return statistics.median(values) if values else None

    def recovery(self, faults: Faults) -> tuple[float, float, float | None] | None:
        """(p50 before the faults, the bound of normal, seconds to normal after the last fault)."""
        first = faults.log[0].at if faults.log else self.stats.t()
        last = faults.last_end - self.stats.started if faults.last_end else first
        base = self.baseline(first)
        if base is None:
            return None
        normal = max(3 * base, base + 0.05)
        return base, normal, self.recovered(last, normal)

    def recovered(self, after: float, normal: float, run: int = 8) -> float | None:
        """Seconds after ``after`` from which ``run`` probes in a row were ok and normal."""
        streak_start, streak = None, 0
        for t, s in self.samples:
            if t < after:
                continue
            if s is not None and s <= normal:
                if streak == 0:
                    streak_start = t
                streak += 1
                if streak >= run:
                    return (streak_start or t) - after
            else:
                streak = 0
        return None


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
        final = SCENARIOS[c.scenario][4][-1]
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
                if c.scenario == "refunded":
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


def summarize(
    plan: Plan,
    report: Report,
    stats: Stats,
    customers: list[Customer],
    outcome: Outcome,
    problems: list[str],
    faults: Faults,
    probe: Probe,
    stack: Stack,
    running: Running,
) -> None:
    add = report.add
    add("")
    add(f"chaos run: {plan.orders} orders through the gateway, {plan.replicas} processes per")
    add(f"subgraph and worker, {len(faults.log)} faults, {stats.t():.0f} s")
    add("faults (t = seconds since the first customer):")
    for f in faults.log:
        back = f"back after {f.recovered_after:.1f} s" if f.recovered_after else "not back"
        add(f"  t={f.at:6.1f}  {f.name}: {back}{'; ' + f.note if f.note else ''}")
    restarts = Tally(r.part for r in stack.history if "restarting in" in r.what)
    add(f"supervisor restarts: {dict(sorted(restarts.items())) or 'none'}")

    gave_up = [c for c in customers if c.failed]
    by_scenario = Tally(c.scenario for c in customers)
    terminal = agreeing = 0
    for c in customers:
        state = outcome.states.get(c.index)
        if not state:
            continue
        _, order_status, payment_status, _, _ = SCENARIOS[c.scenario]
        if state["status"] in ("PAID", "PAYMENT_FAILED", "REFUNDED", "CANCELLED"):
            terminal += 1
        if (state["status"], (state.get("payment") or {}).get("status")) == (
            order_status,
            payment_status,
        ):
            agreeing += 1
    duplicated = sum(1 for n in outcome.order_counts.values() if n > 1)
    lost = plan.orders - len(outcome.states)
    add(
        f"orders:        {plan.orders} placed ({by_scenario['paid']} paid, "
        f"{by_scenario['declined']} declined, {by_scenario['refunded']} refunded); "
        f"{terminal} terminal, {agreeing} as expected with orders and payments agreeing, "
        f"{terminal - agreeing} disagreeing, {lost} lost, {duplicated} duplicated"
    )
    report.check(not gave_up, f"{len(gave_up)} customers gave up")
    report.check(agreeing == plan.orders, f"{plan.orders - agreeing} orders not as expected")
    report.check(duplicated == 0, f"{duplicated} customers with more than one order")

    expected = missing = extra = 0
    first_seen: dict[str, str] = {}
    for c in customers:
        kinds = Tally(SCENARIOS[c.scenario][3])
        got = Tally(kind_of(m["subject"]) for m in counted(outcome.mails.get(c.email, [])))
        for m in outcome.mails.get(c.email, []):
            first_seen[m["message_id"]] = m["received_at"]
        expected += sum(kinds.values())
        missing += sum((kinds - got).values())
        extra += sum((got - kinds).values())
    delivered = sum(len(outcome.mails.get(c.email, [])) for c in customers)
    add(
        f"mail:          {expected} expected, {delivered} distinct Message-IDs at the sink, "
        f"{missing} missing, {extra} extra"
    )
    report.check(missing == 0 and extra == 0, f"mail: {missing} missing, {extra} extra")
    assert running.smtp_sink is not None
    windows = resends(running.config.logs / "smtp-sink.log", first_seen)
    if windows:
        add(
            f"resends:       {len(windows)} of a message already accepted (same Message-ID, "
            f"stored once), {min(windows):.1f}-{max(windows):.1f} s after its first acceptance"
        )
    else:
        add("resends:       0 of a message already accepted")
    report.figures.update(
        missing=missing, extra=extra, resends=len(windows), lost=lost, duplicated=duplicated
    )

    add(
        "outboxes:      "
        + ", ".join(f"{db} {n}" for db, n in outcome.outbox.items())
        + " unpublished"
    )
    add(
        f"dead letters:  {outcome.dead_waiting} waiting ({outcome.dead_ever} ever); "
        f"{outcome.pending} stream entries pending in consumer groups"
    )
    report.check(not any(outcome.outbox.values()), "outboxes not drained")
    report.check(outcome.dead_waiting == 0, "dead-letter streams not empty")
    report.check(outcome.pending == 0, "consumer groups have pending entries")

    watchers = [c for c in customers if c.watcher]
    unconfirmed = [c for c in watchers if c.watcher and c.watcher.unconfirmed]
    stayed = [
        c
        for c in watchers
        if c.watcher and c.watcher.connected and not c.watcher.dropped and not c.watcher.unconfirmed
    ]
    in_order = [
        c for c in stayed if c.watcher and tuple(c.watcher.statuses) == SCENARIOS[c.scenario][4]
    ]
    dropped = Tally(
        c.watcher.dropped.split(" (")[0].split(":")[0]
        for c in watchers
        if c.watcher and c.watcher.dropped
    )
    add(
        f"subscribers:   {len(watchers)} subscribed, {len(stayed)} stayed connected, "
        f"{len(in_order)} of them saw every status in order"
        + (f"; dropped: {dict(dropped)}" if dropped else "")
        + (f"; {len(unconfirmed)} not seen registered in 30 s" if unconfirmed else "")
    )
    for c in stayed:
        if c not in in_order and c.watcher:
            add(f"  {c.email}: saw {c.watcher.statuses}, expected {list(SCENARIOS[c.scenario][4])}")
    report.check(len(in_order) == len(stayed), "a connected subscriber missed a status")

    latency = probe.recovery(faults)
    if latency is not None:
        base, normal, recovery = latency
        failed_probes = sum(1 for _, s in probe.samples if s is None)
        add(
            f"recovery:      gateway latency p50 {base * 1000:.0f} ms before the faults; "
            + (
                f"back to normal (<= {normal * 1000:.0f} ms, 8 probes in a row) "
                f"{recovery:.1f} s after the last fault"
                if recovery is not None
                else "not back to normal by the end of the run"
            )
            + f"; {failed_probes} of {len(probe.samples)} probes failed during the run"
        )
        report.figures["recovery_seconds"] = recovery
    add(
        "client retries: "
        + (", ".join(f"{op} {n}" for op, n in sorted(stats.retries.items())) or "none")
    )
    if stats.causes:
        top = ", ".join(f"{cause} x{n}" for cause, n in stats.causes.most_common(6))
        add(f"  most frequent causes: {top}")
    for problem in problems[:15]:
        add(f"  problem: {problem}")
    if len(problems) > 15:
        add(f"  ... and {len(problems) - 15} more problems")


def run(plan: Plan, work: Path) -> Report:
    """Start a stack in ``work``, drive it under faults, stop it; the report."""
    report = Report()
    stack = Stack(log=lambda line: print(f"[stack] {line}", flush=True))
    stop = threading.Event()
    died: list[BaseException] = []
    with free_layout_in_environ(work / "data", work / "run", replicas=plan.replicas):
        try:
            config = StackConfig.from_env()
            running = stack_module.start(
                stack, config, extra_env=STACK_ENV, redis_fsync_always=True
            )

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.chaos", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--orders", type=int, default=Plan.orders)
    parser.add_argument("--replicas", type=int, default=Plan.replicas)
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds over which customers arrive"
    )
    parser.add_argument("--settle", type=float, default=Plan.settle)
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs, data)")
    args = parser.parse_args(argv)
    duration = args.duration or max(60.0, args.orders * 0.15)
    plan = Plan(args.orders, args.replicas, duration, args.settle)
    (ROOT / ".run").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="chaos-", dir=ROOT / ".run"))
    print(f"chaos: stack folder {work}", flush=True)
    report = run(plan, work)
    print(report.text(), flush=True)
    if report.passed and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"chaos: logs and data kept in {work}", flush=True)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
