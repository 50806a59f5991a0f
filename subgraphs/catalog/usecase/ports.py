"""Ports the catalog use cases depend on; adapters and test fakes implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from subgraphs.catalog.domain.movement import StockMovement
from subgraphs.catalog.domain.product import Product, ProductStatus
from subgraphs.catalog.domain.reservation import Item, Reservation
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import ConcurrentUpdate as ConcurrentUpdate  # re-exported


class SkuTaken(Exception):
    """A product with this sku exists already."""


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """Which products a page holds: those matching every criterion given (None matches any).

    `query`: the name contains it (case-insensitive); with `sku_too`, the sku may contain it
    instead.
    """

    query: str | None = None
    status: ProductStatus | None = None
    sku_too: bool = False

    def matches(self, product: Product) -> bool:
        if self.status is not None and product.status is not self.status:
            return False
        if not self.query:
            return True
        wanted = self.query.casefold()
        return wanted in product.name.casefold() or (
            self.sku_too and wanted in product.sku.casefold()
        )


@dataclass(frozen=True, slots=True)
class ProductPage:
    products: list[Product]
    has_next: bool


@dataclass(frozen=True, slots=True)
class MovementPage:
    movements: list[StockMovement]
    has_next: bool


class Products(Protocol):
    async def add(self, product: Product, movement: StockMovement | None = None) -> None:
        """Insert a new product (and its first movement); raises `SkuTaken` if the sku exists."""

    async def get_many(self, skus: Sequence[str]) -> list[Product | None]: ...

    async def page(self, where: ProductFilter, first: int, after_sku: str | None) -> ProductPage:
        """The products matching `where`, by sku, after `after_sku`."""

    async def save(self, product: Product) -> None:
        """Store the catalog fields (name, description, prices, status) of `product`, one
        version after the stored one; raises `ConcurrentUpdate` (writing nothing) otherwise."""

    async def change_on_hand(self, sku: str, delta: int, at: datetime) -> Product | None:
        """One conditional update: on hand (and available) change by `delta` only if none
        would be left below what is reserved (available + delta >= 0), whatever the stock
        version; the product as stored after it, None if no product or the change missed."""

    async def add_movement(self, movement: StockMovement) -> None: ...

    async def hold(self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId) -> bool:
        """Reserve every item, each only if the product is ACTIVE with that many available,
        with a RESERVED movement each; False as soon as one cannot be (the caller's unit of
        work then aborts, so nothing stays held)."""

    async def take(self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId) -> None:
        """Commit held items: on hand and reserved both drop (COMMITTED movements)."""

    async def unhold(
        self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId
    ) -> None:
        """Release held items: reserved drops, available grows (RELEASED movements)."""

    async def history(
        self, sku: str, first: int, after: tuple[datetime, str] | None
    ) -> MovementPage:
        """The sku's movements, newest first, after the movement `(at, id)`."""


class Reservations(Protocol):
    async def get(self, order_id: str) -> Reservation | None: ...

    async def add(self, reservation: Reservation) -> None:
        """Insert the order's reservation; raises `ConcurrentUpdate` if it has one already."""

    async def save(self, reservation: Reservation) -> None:
        """Store it one version after the stored one; raises `ConcurrentUpdate` otherwise."""
