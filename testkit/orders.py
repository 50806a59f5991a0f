"""In-memory fakes of the orders ports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

from subgraphs.kernel.core.events import Event
from subgraphs.orders.domain.catalog import Product
from subgraphs.orders.domain.order import Order
from subgraphs.orders.usecase.ports import ConcurrentUpdate, OrderFilter, Page


class InMemoryOrders:
    """The `OrderRepository` port over a dict: versions checked, newest first like MongoDB."""

    def __init__(self, orders: Iterable[Order] = ()) -> None:
        self.by_id = {o.id: o for o in orders}

    async def add(self, order: Order) -> None:
        if order.id in self.by_id:
            raise ValueError(f"duplicate order id {order.id}")
        self.by_id[order.id] = order

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


class InMemoryCatalog:
    """The `Catalog` port over a list of products."""

    def __init__(self, products: Iterable[Product]) -> None:
        self._by_sku = {p.sku: p for p in products}

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
