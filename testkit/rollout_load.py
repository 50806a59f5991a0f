"""Traffic through the gateway while a service rolls over (`make rollout`), and what it saw.

Run `RolloutLoad.run(stop)` while the rollout runs: query loops (the catalog's
products, an order with its payment: orders, payments, catalog), and order
flows, each a keyed `createOrder`, then a declined and an accepted
`processPayment` (keyed), followed by a live subscriber. A subscriber whose
subscription ends (its process stopped) subscribes again from the last change
it saw (`since`), as the web apps do: orders first sends the changes made
meanwhile. A change is made only after the subscriber has seen the previous
status, so "every status seen" holds only if the subscription misses nothing. Every
request is sent once: the gateway's retries are the only ones (a payment sent
again under its key while payments has not seen the order is a wait, not a
failure).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed, InvalidStatus

from testkit.client import Subscription, SubscriptionError, subscribe
from testkit.journeys import ORDER_STATE, PAY
from testkit.prometheus import subscriptions_started

CREATE = """mutation Create($input: CreateOrderInput!) { createOrder(input: $input) {
  order { id status } userErrors { code message } } }"""
PRODUCTS = "query Products { products { sku } }"
READY = "query Ready($id: ID!) { order(id: $id) { id status stockReserved updatedAt } }"
MY_ORDERS = "query Mine { me { orders(first: 100) { edges { node { id } } } } }"
STATUS = """subscription Status($id: ID!, $since: DateTime) {
  orderStatusChanged(orderId: $id, since: $since) { status occurredAt } }"""
ITEMS = [{"sku": "SKU-MUG", "quantity": 1}]
# Sent again under the same key: the other side has not caught up yet (not a failure).
NOT_YET = {"ORDER_NOT_FOUND_YET", "STOCK_NOT_RESERVED_YET"}
PATIENCE = 120.0  # seconds a flow waits for one status or for the order to be payable
# The gateway lets a user send 60 mutations a minute: each shopper stays under it.
MUTATION_SPACING = 1.1


class Failed(Exception):
    """A request that failed (as a client sees it)."""


@dataclass
class Tally:
    """What the load sent and what failed, by kind."""

    sent: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    causes: Counter[str] = field(default_factory=Counter)
    statuses_expected: int = 0
    statuses_seen: int = 0  # all through the subscription, of which:
    seen_live: int = 0  # changes made while the subscription it came on was open or opening
    caught_up: int = 0  # made before the subscription it came on was opened again (`since`)
    resubscribed: int = 0
    orders_created: int = 0
    orders_stored: int = 0

    def summary(self) -> str:
        return (
            f"requests sent {sum(self.sent.values())} {dict(self.sent)}, "
            f"failed {sum(self.failed.values())} {dict(self.causes)}; "
            f"subscription statuses expected {self.statuses_expected}, seen "
            f"{self.statuses_seen} ({self.seen_live} live, {self.caught_up} caught up on "
            f"resubscribe; {self.resubscribed} resubscribes); orders created "
            f"{self.orders_created}, "
            f"stored {self.orders_stored}"
        )


class RolloutLoad:
    """Shoppers (token each) sending traffic through ``gateway`` until stopped."""

    def __init__(self, gateway: str, tokens: list[str], orders_internal: str) -> None:
        self.gateway = gateway
        self.tokens = tokens
        self.orders_internal = orders_internal  # its /metrics count registered subscribers
        self.tally = Tally()
        self._last_mutation: dict[str, float] = {}
        self.subscribing = asyncio.Lock()

    async def _send(
        self, http: httpx.AsyncClient, kind: str, query: str, variables: dict[str, Any], token: str
    ) -> dict[str, Any]:
        if kind == "mutation":
            loop = asyncio.get_running_loop()
            wait = self._last_mutation.get(token, 0.0) + MUTATION_SPACING - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last_mutation[token] = loop.time()
        self.tally.sent[kind] += 1
        try:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"authorization": f"Bearer {token}"},
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            return self._failed(kind, type(exc).__name__)
        if response.status_code != 200 or body.get("errors") or not body.get("data"):
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
            return self._failed(kind, f"HTTP {response.status_code} {codes}")
        data: dict[str, Any] = body["data"]
        return data

    def _failed(self, kind: str, cause: str) -> dict[str, Any]:
        self.tally.failed[kind] += 1
        self.tally.causes[f"{kind}: {cause}"[:100]] += 1
        raise Failed(cause)

    async def run(self, stop: asyncio.Event) -> Tally:
        """Traffic until ``stop`` is set and every flow under way has finished."""
        async with httpx.AsyncClient(base_url=self.gateway, timeout=60) as http:
            loops = [self._queries(http, stop, token) for token in self.tokens]
            flows = [self._flows(http, stop, token) for token in self.tokens]
            await asyncio.gather(*loops, *flows)
            for token in self.tokens:  # one order per key, none doubled
                data = await self._send(http, "query", MY_ORDERS, {}, token)
                self.tally.orders_stored += len(data["me"]["orders"]["edges"])
        return self.tally

    async def _queries(self, http: httpx.AsyncClient, stop: asyncio.Event, token: str) -> None:
        order_id: str | None = None
        while not stop.is_set():
            with contextlib.suppress(Failed):
                await self._send(http, "query", PRODUCTS, {}, token)
                if order_id is None:
                    mine = await self._send(http, "query", MY_ORDERS, {}, token)
                    edges = mine["me"]["orders"]["edges"]
                    order_id = edges[0]["node"]["id"] if edges else None
                if order_id is not None:
                    await self._send(http, "query", ORDER_STATE, {"id": order_id}, token)
            await asyncio.sleep(0.02)

    async def _flows(self, http: httpx.AsyncClient, stop: asyncio.Event, token: str) -> None:
        while not stop.is_set():
            with contextlib.suppress(Failed):
                await self._flow(http, token)

    async def _flow(self, http: httpx.AsyncClient, token: str) -> None:
        key = f"order-{uuid.uuid4().hex}"
        variables = {"input": {"items": ITEMS, "idempotencyKey": key}}
        payload = (await self._send(http, "mutation", CREATE, variables, token))["createOrder"]
        if payload["userErrors"]:
            self._failed("mutation", f"createOrder {payload['userErrors']}")
        self.tally.orders_created += 1
        order_id = payload["order"]["id"]
        payable_since = await self._payable(http, token, order_id)
        watcher = StatusWatcher(self, http, token, order_id, payable_since)
        async with watcher.watching():
            for card, status in (("pm_card_declined", "PAYMENT_FAILED"), ("pm_card_ok", "PAID")):
                self.tally.statuses_expected += 1
                await self._pay(http, token, order_id, card)
                await watcher.seen(status)

    async def _payable(self, http: httpx.AsyncClient, token: str, order_id: str) -> str:
        """Until the order can be paid; its `updatedAt` then (no status change after it yet)."""
        try:
            async with asyncio.timeout(PATIENCE):
                while True:
                    order = (await self._send(http, "query", READY, {"id": order_id}, token))[
                        "order"
                    ]
                    if order and order["stockReserved"]:
                        updated_at: str = order["updatedAt"]
                        return updated_at
                    await asyncio.sleep(0.2)
        except TimeoutError:
            raise AssertionError(f"order {order_id}: stock not reserved in {PATIENCE:g}s") from None

    async def _pay(self, http: httpx.AsyncClient, token: str, order_id: str, card: str) -> None:
        key = f"pay-{uuid.uuid4().hex}"
        variables = {
            "input": {"orderId": order_id, "paymentMethodToken": card, "idempotencyKey": key}
        }
        async with asyncio.timeout(PATIENCE):
            while True:
                payload = (await self._send(http, "mutation", PAY, variables, token))[
                    "processPayment"
                ]
                codes = {e["code"] for e in payload["userErrors"]}
                if not codes & NOT_YET:
                    break
                await asyncio.sleep(0.5)
        if codes:
            self._failed("mutation", f"processPayment {sorted(codes)}")


class StatusWatcher:
    """One order's statuses as a client following it live sees them."""

    def __init__(
        self, load: RolloutLoad, http: httpx.AsyncClient, token: str, order_id: str, since: str
    ):
        self.load = load
        self.http = http
        self.token = token
        self.order_id = order_id
        self.since = since  # the time of the last change seen: each subscription starts there
        self.statuses: set[str] = set()
        self._changed = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._task: asyncio.Task[None]

    @contextlib.asynccontextmanager
    async def watching(self) -> Any:
        self._task = asyncio.create_task(self._follow())
        try:
            await self._until(self._subscribed.is_set, "its subscription to start")
            yield self
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def seen(self, status: str) -> None:
        await self._until(lambda: status in self.statuses, f"{status} (seen {self.statuses})")
        self.load.tally.statuses_seen += 1

    async def _until(self, condition: Callable[[], bool], what: str) -> None:
        """Until ``condition()`` holds; AssertionError naming ``what`` after PATIENCE s, or
        the error that ended the subscriber."""
        try:
            async with asyncio.timeout(PATIENCE):
                while not condition():
                    if self._task.done():
                        self._task.result()
                    self._changed.clear()
                    await asyncio.wait(
                        [asyncio.ensure_future(self._changed.wait()), self._task], timeout=1.0
                    )
        except TimeoutError:
            raise AssertionError(
                f"order {self.order_id}: waited {PATIENCE:g}s for {what}"
            ) from None

    def _see(self, change: dict[str, Any], opened_at: datetime | None) -> None:
        """A change received on a subscription opened again at ``opened_at`` (None: the first
        one); caught up if it was made before."""
        if change["status"] not in self.statuses:
            self.statuses.add(change["status"])
            self.since = change["occurredAt"]
            occurred_at = datetime.fromisoformat(change["occurredAt"])
            if opened_at is not None and occurred_at < opened_at:
                self.load.tally.caught_up += 1
            else:
                self.load.tally.seen_live += 1
        self._changed.set()

    async def _follow(self) -> None:
        reopened_at: datetime | None = None  # None: the first subscription
        while True:
            try:
                async with contextlib.AsyncExitStack() as opened:
                    # One subscriber starts at a time: the registration counted is its own.
                    async with self.load.subscribing:
                        before = await subscriptions_started(self.http, self.load.orders_internal)
                        subscription = await opened.enter_async_context(
                            subscribe(
                                self.load.gateway + "/graphql",
                                STATUS,
                                {"id": self.order_id, "since": self.since},
                                token=self.token,
                            )
                        )
                        await self._registration(subscription, before, reopened_at)
                        if reopened_at is not None:
                            self.load.tally.resubscribed += 1
                    self._subscribed.set()
                    self._changed.set()
                    while True:
                        payload = await subscription.next(timeout=None)
                        change = (payload.get("data") or {}).get("orderStatusChanged")
                        if change:
                            self._see(change, reopened_at)
            except (
                SubscriptionError,
                ConnectionClosed,
                InvalidStatus,
                OSError,
                TimeoutError,
                httpx.HTTPError,
            ):
                await asyncio.sleep(0.2)  # ended or closed: subscribe again from `since`
                reopened_at = datetime.now(UTC)

    async def _registration(
        self, subscription: Subscription, before: float, reopened_at: datetime | None
    ) -> None:
        """Until orders registered the subscriber (from then on nothing is missed), or an event
        came; SubscriptionError when it ended first (sent to a process that is stopping)."""
        deadline = asyncio.get_running_loop().time() + PATIENCE
        while await subscriptions_started(self.http, self.load.orders_internal) <= before:
            try:
                message = await subscription.receive(timeout=0.05)
            except TimeoutError:
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"order {self.order_id}: never subscribed") from None
                continue
            # A `next` without data (its errors: the subscription failed upstream) ends it too.
            payload = message.get("payload") or {}
            change = (payload.get("data") or {}) if message["type"] == "next" else {}
            if not change.get("orderStatusChanged"):
                raise SubscriptionError(message)
            self._see(change["orderStatusChanged"], reopened_at)
            return
