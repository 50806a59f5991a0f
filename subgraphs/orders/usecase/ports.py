"""Ports the orders use cases depend on; adapters and test fakes implement them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from subgraphs.kernel.events import Event
from subgraphs.orders.domain.catalog import Product
from subgraphs.orders.domain.order import Order

Clock = Callable[[], datetime]


class ConcurrentUpdate(Exception):
    """The order changed since it was read; re-read and decide again."""


@dataclass(frozen=True, slots=True)
class Page:
    orders: list[Order]
    has_next: bool


class OrderRepository(Protocol):
    async def add(self, order: Order, events: Sequence[Event]) -> None:
        """Insert a new order and its events atomically."""

    async def get_many(self, ids: Sequence[str]) -> list[Order | None]: ...

    async def was_applied(self, event_id: str) -> bool:
        """True if the event with this id changed an order before."""

    async def page_for_user(self, user_id: str, first: int, after: Order | None) -> Page:
        """Newest first; `after` is the last order of the previous page."""

    async def save(
        self,
        order: Order,
        events: Sequence[Event],
        *,
        event_id: str | None = None,
    ) -> bool:
        """Store `order` (one version after the stored one) and its events atomically.

        Raises `ConcurrentUpdate` if the stored version is not `order.version - 1`.
        With `event_id` (the event being applied), returns False and changes
        nothing if that event was applied before.
        """


class Catalog(Protocol):
    async def products(self, skus: Sequence[str] | None = None) -> list[Product]:
        """The products with these skus (all of them with None), by sku."""
