"""What payments knows of an order: its own projection of the orders events.

Payments never reads the orders database. Every orders event carries the
order's owner, currency, total, status and version, so any one of them is
enough to (re)build the view, and the version decides which is newest when
events arrive late or twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from subgraphs.kernel.core.events import MalformedEvent
from subgraphs.kernel.core.money import Money


# The status names orders publishes in its events, mirrored on purpose (contexts may not import
# each other), so the copy-check leaves this list alone.
# pylint: disable=duplicate-code
class OrderState(StrEnum):
    """The order's status as last reported by the orders context."""

    PENDING = "PENDING"
    PAID = "PAID"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"
    REJECTED = "REJECTED"


# pylint: enable=duplicate-code
ORDER_CREATED = "orders.created"
ORDER_CANCELLED = "orders.cancelled"
STOCK_RESERVED = "stock.reserved"  # the catalog's: the order may be paid from now on
# Every orders event payments projects; all carry the fields `OrderView.from_event` reads.
ORDER_EVENTS = (
    ORDER_CREATED,
    "orders.paid",
    "orders.payment_failed",
    ORDER_CANCELLED,
    "orders.refunded",
    "orders.rejected",
)


class MalformedOrderEvent(MalformedEvent):
    """An orders event without the fields the projection needs (dead-lettered, never retried)."""


@dataclass(frozen=True, slots=True)
class OrderView:
    order_id: str
    user_id: str
    total: Money
    status: OrderState
    version: int
    updated_at: datetime
    # Set by the catalog's `stock.reserved`, which may arrive before any orders event.
    stock_reserved: bool = False

    @property
    def cancelled(self) -> bool:
        return self.status is OrderState.CANCELLED

    @property
    def rejected(self) -> bool:
        return self.status is OrderState.REJECTED

    def supersedes(self, stored: OrderView | None) -> bool:
        """True if this view is newer than `stored` (an event applied late changes nothing)."""
        return stored is None or self.version > stored.version

    @classmethod
    def from_event(cls, payload: Mapping[str, Any], occurred_at: datetime) -> OrderView:
        try:
            order_id, user_id = payload["order_id"], payload["user_id"]
            version = payload["order_version"]
            if not isinstance(order_id, str) or not isinstance(user_id, str):
                raise TypeError("order_id and user_id must be strings")
            if not isinstance(version, int) or version < 1:
                raise TypeError("order_version must be a positive integer")
            total = Money.parse(payload["total"], payload["currency"])
            if total.amount < 0:
                raise ValueError("a negative total")
            status = OrderState(payload["status"])
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedOrderEvent(f"not an orders event payload: {exc!r}") from exc
        return cls(order_id, user_id, total, status, version, occurred_at)
