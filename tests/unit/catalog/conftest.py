"""The catalog use cases, wired by the catalog bootstrap to in-memory fakes of their ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from subgraphs.catalog.bootstrap import bootstrap
from subgraphs.catalog.domain.product import AdjustmentReason, Product
from subgraphs.catalog.domain.reservation import Reservation
from subgraphs.catalog.usecase import CatalogUseCases
from subgraphs.kernel.core.events import Event
from testkit.catalog import InMemoryProducts, InMemoryReservations
from testkit.kernel import InMemoryUnitOfWork, SequentialIds, SteppingClock

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
USD = [(Decimal("12.00"), "USD")]


@dataclass
class World:
    products: InMemoryProducts = field(default_factory=InMemoryProducts)
    reservations: InMemoryReservations = field(default_factory=InMemoryReservations)
    uow: InMemoryUnitOfWork = field(default_factory=lambda: InMemoryUnitOfWork("catalog"))
    usecases: CatalogUseCases = field(init=False)

    def __post_init__(self) -> None:
        self.usecases = bootstrap(
            products=self.products,
            reservations=self.reservations,
            uow=self.uow,
            clock=SteppingClock(),
            new_id=SequentialIds("mv"),
        )

    async def product(self, sku: str = "SKU-LAMP", on_hand: int = 10) -> Product:
        """A product with `on_hand` units (created, then received)."""
        await self.usecases.edit_products.create("staff-1", sku, "Lamp", "", USD)
        if on_hand:
            await self.usecases.adjust_stock("staff-1", sku, on_hand, AdjustmentReason.RECEIVED)
        self.uow.events.clear()
        return self.stored(sku)

    def stored(self, sku: str) -> Product:
        return self.products.by_sku[sku]

    def reservation(self, order_id: str) -> Reservation:
        return self.reservations.by_order[order_id]

    def event_types(self) -> list[str]:
        return [e.type for e in self.uow.events]

    def payloads(self, type_: str) -> list[dict[str, Any]]:
        return [dict(e.payload) for e in self.uow.events if e.type == type_]


def order_event(
    type_: str, order_id: str = "ord-1", producer: str = "orders", **payload: Any
) -> Event:
    return Event.create(
        type_,
        {"order_id": order_id, "user_id": "cust-1", **payload},
        producer=producer,
        occurred_at=AT,
    )


def created(order_id: str = "ord-1", **quantities: int) -> Event:
    items = [
        {"sku": sku.replace("_", "-"), "quantity": q, "name": "x", "unit_price": "1.00"}
        for sku, q in quantities.items()
    ]
    return order_event("orders.created", order_id, items=items)


@pytest.fixture
def world() -> World:
    return World()
