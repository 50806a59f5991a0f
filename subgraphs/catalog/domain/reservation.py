"""The stock held for one order, and the saga steps that move it.

RESERVED -> COMMITTED (paid: the units leave on hand) or RELEASED (cancelled or expired: the
units are available again). REJECTED (some line could not be reserved: nothing is held) and
a RELEASED tombstone (cancelled before it was reserved: a late `orders.created` reserves
nothing) are final. A COMMITTED reservation is restocked at most once (a refund that returns
the units); a refund heard while it is still RESERVED (the payment's commit not applied yet)
is kept on it (`restock_pending`, with the refund's actor) and applied by the commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from subgraphs.catalog.domain import events as produced
from subgraphs.kernel.core.events import DomainEvent, EventSpec

STOCK_RESERVED = produced.STOCK_RESERVED.type
STOCK_REJECTED = produced.STOCK_REJECTED.type
STOCK_RELEASED = produced.STOCK_RELEASED.type
STOCK_COMMITTED = produced.STOCK_COMMITTED.type


class ReservationStatus(StrEnum):
    RESERVED = "RESERVED"
    REJECTED = "REJECTED"
    COMMITTED = "COMMITTED"
    RELEASED = "RELEASED"


@dataclass(frozen=True, slots=True)
class Item:
    sku: str
    quantity: int


class ShortReason(StrEnum):
    """Why a line could not be reserved."""

    OUT_OF_STOCK = "out_of_stock"  # fewer available than requested
    ARCHIVED = "archived"  # no longer sold
    UNKNOWN = "unknown"  # no such product


@dataclass(frozen=True, slots=True)
class Short:
    """A line that could not be reserved: how many were asked for, how many are available
    (0 for an archived or unknown product), and why."""

    sku: str
    requested: int
    available: int
    reason: ShortReason = ShortReason.OUT_OF_STOCK


@dataclass(frozen=True, slots=True)
class Reservation:
    order_id: str
    user_id: str | None
    status: ReservationStatus
    items: tuple[Item, ...]
    version: int
    updated_at: datetime
    short: tuple[Short, ...] = ()
    restocked: bool = False
    restock_pending: bool = False
    restock_actor: str | None = None
    events: tuple[DomainEvent, ...] = field(default=(), compare=False)

    def _event(self, spec: EventSpec[Any], at: datetime, **payload: object) -> DomainEvent:
        body = {"order_id": self.order_id, "user_id": self.user_id, **payload}
        return spec(body, at, sequence=self.version)

    def commit(self, now: datetime) -> Reservation:
        """COMMITTED; restocked too when a refund was waiting for it (`restock_pending`):
        the caller then returns the units in the same unit of work."""
        changed = replace(
            self,
            status=ReservationStatus.COMMITTED,
            version=self.version + 1,
            updated_at=now,
            restocked=self.restock_pending,
            restock_pending=False,
        )
        return replace(changed, events=(changed._event(produced.STOCK_COMMITTED, now),))

    def restock_on_commit(self, actor_id: str | None, now: datetime) -> Reservation:
        """A RESERVED reservation refunded (with the units returned) before its commit."""
        return replace(
            self,
            restock_pending=True,
            restock_actor=actor_id,
            version=self.version + 1,
            updated_at=now,
            events=(),
        )

    def release(self, reason: str, now: datetime) -> Reservation:
        changed = replace(
            self, status=ReservationStatus.RELEASED, version=self.version + 1, updated_at=now
        )
        return replace(
            changed, events=(changed._event(produced.STOCK_RELEASED, now, reason=reason),)
        )

    def restock(self, actor_id: str | None, now: datetime) -> Reservation:
        return replace(
            self,
            restocked=True,
            restock_actor=actor_id,
            version=self.version + 1,
            updated_at=now,
            events=(),
        )


def merged(lines: Sequence[Mapping[str, object]]) -> tuple[Item, ...]:
    """An order's lines as items, one a sku (quantities of a repeated sku added), by sku."""
    quantities: dict[str, int] = {}
    for line in lines:
        sku, quantity = str(line["sku"]), int(str(line["quantity"]))
        if quantity > 0:
            quantities[sku] = quantities.get(sku, 0) + quantity
    return tuple(Item(sku, q) for sku, q in sorted(quantities.items()))


def reserved(
    order_id: str, user_id: str | None, items: tuple[Item, ...], now: datetime
) -> Reservation:
    r = Reservation(order_id, user_id, ReservationStatus.RESERVED, items, 1, now)
    items_payload = [{"sku": i.sku, "quantity": i.quantity} for i in items]
    return replace(r, events=(r._event(produced.STOCK_RESERVED, now, items=items_payload),))


def rejected(
    order_id: str,
    user_id: str | None,
    items: tuple[Item, ...],
    short: tuple[Short, ...],
    now: datetime,
) -> Reservation:
    r = Reservation(order_id, user_id, ReservationStatus.REJECTED, items, 1, now, short=short)
    short_payload = [
        {"sku": s.sku, "requested": s.requested, "available": s.available, "reason": s.reason}
        for s in short
    ]
    return replace(r, events=(r._event(produced.STOCK_REJECTED, now, short=short_payload),))


def tombstone(order_id: str, user_id: str | None, now: datetime) -> Reservation:
    """The reservation of an order cancelled before it was reserved: nothing held, ever."""
    return Reservation(order_id, user_id, ReservationStatus.RELEASED, (), 1, now)
