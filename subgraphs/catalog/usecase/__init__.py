"""The catalog use cases, and the list of those its transport and event consumers call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from subgraphs.catalog.usecase.adjust_stock import AdjustStock
from subgraphs.catalog.usecase.announce_products import AnnounceProducts
from subgraphs.catalog.usecase.edit_products import EditProducts
from subgraphs.catalog.usecase.read_products import ReadProducts
from subgraphs.catalog.usecase.reserve_stock import ORDER_CREATED, ReserveStock
from subgraphs.catalog.usecase.seed_products import SeedProducts
from subgraphs.catalog.usecase.settle_stock import (
    ORDER_CANCELLED,
    ORDER_PAID,
    PAYMENT_REFUNDED,
    SettleStock,
)
from subgraphs.kernel.core.events import Event


@dataclass(frozen=True)
class CatalogUseCases:
    edit_products: EditProducts
    adjust_stock: AdjustStock
    read_products: ReadProducts
    seed_products: SeedProducts  # run on start
    announce_products: AnnounceProducts  # run on start, after the seeding
    reserve_stock: ReserveStock  # the orders consumer's `orders.created` handler
    settle_stock: SettleStock  # `orders.paid`, `orders.cancelled`, `payments.refunded`

    def event_handlers(self) -> dict[str, Callable[[Event], Awaitable[object]]]:
        """The saga's handlers, by the type of the orders and payments events they apply."""
        return {
            ORDER_CREATED: self.reserve_stock,
            ORDER_PAID: self.settle_stock.commit,
            ORDER_CANCELLED: self.settle_stock.release,
            PAYMENT_REFUNDED: self.settle_stock.restock,
        }
