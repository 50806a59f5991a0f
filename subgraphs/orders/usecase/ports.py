"""Ports the orders use cases depend on; adapters and test fakes implement them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.core.unit_of_work import ConcurrentUpdate as ConcurrentUpdate  # re-exported
from subgraphs.orders.domain.catalog import Product
from subgraphs.orders.domain.order import Order, OrderStatus


@dataclass(frozen=True, slots=True)
class Page:
    orders: list[Order]
    has_next: bool


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Which orders a page holds: those matching every criterion given (None matches any)."""

    user_id: str | None = None
    status: OrderStatus | None = None
    created_from: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    order_id: str | None = None

    def matches(self, order: Order) -> bool:
        return (
            (self.user_id is None or order.user_id == self.user_id)
            and (self.status is None or order.status is self.status)
            and (self.created_from is None or order.created_at >= self.created_from)
            and (self.created_before is None or order.created_at < self.created_before)
            and (self.order_id is None or order.id == self.order_id)
        )


class IdempotencyKeyTaken(Exception):
    """The customer already placed an order under this idempotency key."""


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None:
        """Insert a new order; `IdempotencyKeyTaken` (writing nothing) when its customer
        already has an order under its idempotency key."""

    async def by_idempotency_key(self, user_id: str, key: str) -> Order | None:
        """The order `user_id` placed under `key`, if any."""

    async def get_many(self, ids: Sequence[str]) -> list[Order | None]: ...

    async def page(self, where: OrderFilter, first: int, after: Order | None) -> Page:
        """The orders matching `where`, newest first; `after` is the last of the previous page."""

    async def save(self, order: Order) -> None:
        """Store `order`, one version after the stored one.

        Raises `ConcurrentUpdate` (writing nothing) if the stored version is
        not `order.version - 1`.
        """

    async def expired(self, now: datetime, limit: int) -> list[Order]:
        """Up to `limit` orders for which `Order.expired(now)` holds (still payable, the
        deadline at or before `now`), earliest deadline first."""

    async def give_deadlines(self, ttl: timedelta) -> int:
        """Give every payable order stored without a deadline (placed before deadlines
        existed) its deadline, `created_at + ttl`; how many got one. Not a status change:
        the version stays."""


class Catalog(Protocol):
    """Orders' copy of the catalog's products (name, prices, status)."""

    async def products(self, skus: Sequence[str] | None = None) -> list[Product]:
        """The products with these skus (all of them with None), by sku."""

    async def apply(self, product: Product) -> bool:
        """Store `product` unless a version as new or newer is stored; True if stored."""


class StatusFeed(Protocol):
    """The orders events of one order as they are published (live status subscriptions)."""

    def subscribe(self, key: str) -> AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Events whose order id is `key`, from the moment of subscribing, until closed."""
