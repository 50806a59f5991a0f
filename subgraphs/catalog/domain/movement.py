"""The history of a product's stock: one movement per change, with the levels after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MovementKind(StrEnum):
    RECEIVED = "RECEIVED"
    COUNTED = "COUNTED"
    DAMAGED = "DAMAGED"
    RETURNED = "RETURNED"
    RESERVED = "RESERVED"
    RELEASED = "RELEASED"
    COMMITTED = "COMMITTED"
    SEEDED = "SEEDED"


@dataclass(frozen=True, slots=True)
class StockMovement:
    id: str
    sku: str
    at: datetime
    kind: MovementKind
    on_hand_delta: int
    reserved_delta: int
    on_hand: int  # after the movement
    reserved: int  # after the movement
    note: str | None = None
    order_id: str | None = None
    actor_id: str | None = None
