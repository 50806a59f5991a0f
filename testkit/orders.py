"""In-memory fakes of the orders ports, and the catalog events that fill orders' copy of it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from subgraphs.catalog.domain.seed import SEED_PRODUCTS as CATALOG_SEED
from subgraphs.kernel.core.events import Event, stream_of
from subgraphs.orders.domain.catalog import PRODUCT_CHANGED, Product, product_from_event
from subgraphs.orders.domain.order import Order
from subgraphs.orders.usecase.ports import ConcurrentUpdate, IdempotencyKeyTaken, OrderFilter, Page


def product_changed(
    sku: str,
    name: str,
    prices: dict[str, str],
    *,
    version: int = 1,
    status: str = "ACTIVE",
    change: str = "seeded",
) -> Event:
    """A `catalog.product_changed` as the catalog context emits it."""
    payload: dict[str, Any] = {
        "sku": sku,
        "name": name,
        "description": "",
        "prices": prices,
        "status": status,
        "product_version": version,
        "change": change,
        "actor_id": None,
    }
    return Event(
        id=uuid.uuid4().hex,
        type=PRODUCT_CHANGED,
        version=1,
        occurred_at=datetime.now(UTC),
        producer="catalog",
        correlation_id=None,
        payload=payload,
    )


def seed_catalog_events() -> list[Event]:
    """The catalog's seeding as `catalog.product_changed` events (its eight products)."""
    return [
        product_changed(p.sku, p.name, {currency: str(amount) for amount, currency in p.prices})
        for p in CATALOG_SEED
    ]


SEED_PRODUCTS = tuple(product_from_event(e.payload) for e in seed_catalog_events())


def stock_event(kind: str, order_id: str, user_id: str = "u-1", **payload: Any) -> Event:
    """A `stock.<kind>` event of the catalog for `order_id` (`reserved`, `rejected`, ...)."""
    return Event(
        id=uuid.uuid4().hex,
        type=f"stock.{kind}",
        version=1,
        occurred_at=datetime.now(UTC),
        producer="catalog",
        correlation_id=None,
        payload={"order_id": order_id, "user_id": user_id, **payload},
    )


class InMemoryOrders:
    """The `OrderRepository` port over a dict: versions checked, newest first like MongoDB."""

    def __init__(self, orders: Iterable[Order] = ()) -> None:
        self.by_id = {o.id: o for o in orders}

    async def add(self, order: Order) -> None:
        if order.id in self.by_id:
            raise ValueError(f"duplicate order id {order.id}")
        key = order.idempotency_key
        if key is not None and await self.by_idempotency_key(order.user_id, key) is not None:
            raise IdempotencyKeyTaken(key)
        self.by_id[order.id] = order

    async def by_idempotency_key(self, user_id: str, key: str) -> Order | None:
        return next(
            (o for o in self.by_id.values() if (o.user_id, o.idempotency_key) == (user_id, key)),
            None,
        )

    async def get_many(self, ids: Sequence[str]) -> list[Order | None]:
        return [self.by_id.get(i) for i in ids]

    async def page(self, where: OrderFilter, first: int, after: Order | None) -> Page:
        mine = sorted(
            (o for o in self.by_id.values() if where.matches(o)),
            key=lambda o: (o.created_at, o.id),
            reverse=True,
        )
        if after is not None:
            mine = [o for o in mine if (o.created_at, o.id) < (after.created_at, after.id)]
        return Page(mine[:first], has_next=len(mine) > first)

    async def save(self, order: Order) -> None:
        stored = self.by_id.get(order.id)
        if stored is None or stored.version != order.version - 1:
            raise ConcurrentUpdate(order.id)
        self.by_id[order.id] = order

    async def expired(self, now: datetime, limit: int) -> list[Order]:
        due = sorted(
            (o for o in self.by_id.values() if o.expired(now)),
            key=lambda o: o.expires_at or now,
        )
        return due[:limit]

    async def give_deadlines(self, ttl: timedelta) -> int:
        undated = [o for o in self.by_id.values() if o.payable and o.expires_at is None]
        for order in undated:
            self.by_id[order.id] = replace(order, expires_at=order.created_at + ttl)
        return len(undated)


class InMemoryCatalog:
    """The `Catalog` port over a dict: the newest product version wins."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self._by_sku = {p.sku: p for p in products}

    async def apply(self, product: Product) -> bool:
        stored = self._by_sku.get(product.sku)
        if stored is not None and stored.version >= product.version:
            return False
        self._by_sku[product.sku] = product
        return True

    async def products(self, skus: Sequence[str] | None = None) -> list[Product]:
        wanted = self._by_sku if skus is None else [s for s in skus if s in self._by_sku]
        return [self._by_sku[s] for s in sorted(wanted)]


class SilentFeed:
    """The `StatusFeed` port with nothing ever published."""

    @asynccontextmanager
    async def subscribe(self, key: str) -> AsyncIterator[AsyncIterator[Event]]:
        yield _nothing()


async def _nothing() -> AsyncIterator[Event]:
    return
    yield  # an async generator that ends at once


async def feed_seed_catalog(apply: Callable[[Event], Awaitable[None]]) -> None:
    """Give orders' copy of the catalog the eight seeded products through its use case
    (`usecases.apply_product_change`), as its consumer would."""
    for event in seed_catalog_events():
        await apply(event)


async def publish_catalog_events(redis: aioredis.Redis, events: Iterable[Event]) -> None:
    """Put catalog events on `events.catalog`, as the catalog's outbox relay does."""
    for event in events:
        await redis.xadd(stream_of("catalog"), event.to_fields())  # type: ignore[arg-type]
