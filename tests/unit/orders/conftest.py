"""The orders use cases, wired by the orders bootstrap to in-memory fakes of their ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.kernel.core.events import Event
from subgraphs.orders.bootstrap import bootstrap
from subgraphs.orders.domain.order import Order, OrderLine
from subgraphs.orders.usecase import OrdersUseCases
from testkit.kernel import InMemoryUnitOfWork, SequentialIds, SteppingClock
from testkit.orders import InMemoryCatalog, InMemoryOrders, SilentFeed, seed_catalog_events

TTL = timedelta(minutes=15)


@dataclass
class World:
    orders: InMemoryOrders = field(default_factory=InMemoryOrders)
    catalog: InMemoryCatalog = field(default_factory=InMemoryCatalog)
    uow: InMemoryUnitOfWork = field(default_factory=lambda: InMemoryUnitOfWork("orders"))
    clock: SteppingClock = field(default_factory=SteppingClock)
    ignored: list[str] = field(default_factory=list)
    usecases: OrdersUseCases = field(init=False)

    def __post_init__(self) -> None:
        self.usecases = bootstrap(
            orders=self.orders,
            catalog=self.catalog,
            uow=self.uow,
            status_feed=SilentFeed(),
            clock=self.clock,
            new_id=SequentialIds("order"),
            reservation_ttl=TTL,
            on_ignored=self.ignored.append,
        )

    async def place(self, user_id: str = "u-1") -> Order:
        return await self.usecases.create_order(user_id, [OrderLine("SKU-MUG", 2)], "usd")

    def stored(self, order_id: str) -> Order:
        return self.orders.by_id[order_id]

    def event_types(self) -> list[str]:
        return [e.type for e in self.uow.events]


@pytest.fixture
async def world() -> World:
    """The orders use cases, their copy of the catalog fed the seeding's product events."""
    world = World()
    for event in seed_catalog_events():
        await world.usecases.apply_product_change(event)
    return world


def payment_event(kind: str, order_id: str, event_id: str = "e-1", **extra: str) -> Event:
    return Event(
        id=event_id,
        type=f"payments.{kind}",
        version=1,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        producer="payments",
        correlation_id=None,
        payload={"order_id": order_id, "payment_id": "p-1", **extra},
    )
