"""The orders use cases, wired by the orders bootstrap to in-memory fakes of their ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.events import Event
from subgraphs.orders.bootstrap import bootstrap
from subgraphs.orders.domain.catalog import SEED_PRODUCTS
from subgraphs.orders.domain.order import Order, OrderLine
from subgraphs.orders.usecase import OrdersUseCases
from testkit.kernel import InMemoryUnitOfWork, SequentialIds, SteppingClock
from testkit.orders import InMemoryCatalog, InMemoryOrders, SilentFeed


@dataclass
class World:
    orders: InMemoryOrders = field(default_factory=InMemoryOrders)
    uow: InMemoryUnitOfWork = field(default_factory=lambda: InMemoryUnitOfWork("orders"))
    ignored: list[str] = field(default_factory=list)
    usecases: OrdersUseCases = field(init=False)

    def __post_init__(self) -> None:
        self.usecases = bootstrap(
            orders=self.orders,
            catalog=InMemoryCatalog(SEED_PRODUCTS),
            uow=self.uow,
            status_feed=SilentFeed(),
            clock=SteppingClock(),
            new_id=SequentialIds("order"),
            on_ignored=self.ignored.append,
        )

    async def place(self, user_id: str = "u-1") -> Order:
        return await self.usecases.create_order(user_id, [OrderLine("SKU-MUG", 2)], "usd")

    def stored(self, order_id: str) -> Order:
        return self.orders.by_id[order_id]

    def event_types(self) -> list[str]:
        return [e.type for e in self.uow.events]


@pytest.fixture
def world() -> World:
    return World()


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
