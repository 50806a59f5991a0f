"""In-memory fakes of the catalog ports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from subgraphs.catalog.domain.movement import MovementKind, StockMovement
from subgraphs.catalog.domain.product import Product, ProductStatus
from subgraphs.catalog.domain.reservation import Item, Reservation
from subgraphs.catalog.usecase.ports import (
    ConcurrentUpdate,
    MovementPage,
    ProductFilter,
    ProductPage,
    SkuTaken,
)
from subgraphs.kernel.core.ids import NewId


class InMemoryProducts:
    """The `Products` port over a dict. Like MongoDB's single writes, every write checks
    before it changes anything (a `hold` that misses a line holds none)."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self.by_sku = {p.sku: replace(p, events=()) for p in products}
        self.movements: list[StockMovement] = []

    async def add(self, product: Product, movement: StockMovement | None = None) -> None:
        if product.sku in self.by_sku:
            raise SkuTaken(product.sku)
        self.by_sku[product.sku] = replace(product, events=())
        if movement is not None:
            self.movements.append(movement)

    async def get_many(self, skus: Sequence[str]) -> list[Product | None]:
        return [self.by_sku.get(s) for s in skus]

    async def page(self, where: ProductFilter, first: int, after_sku: str | None) -> ProductPage:
        found = sorted((p for p in self.by_sku.values() if where.matches(p)), key=lambda p: p.sku)
        if after_sku is not None:
            found = [p for p in found if p.sku > after_sku]
        return ProductPage(found[:first], has_next=len(found) > first)

    async def save(self, product: Product) -> None:
        stored = self.by_sku.get(product.sku)
        if stored is None or stored.version != product.version - 1:
            raise ConcurrentUpdate(product.sku)
        self.by_sku[product.sku] = replace(
            stored,
            name=product.name,
            description=product.description,
            prices=product.prices,
            status=product.status,
            version=product.version,
            updated_at=product.updated_at,
        )

    async def change_on_hand(self, sku: str, delta: int, at: datetime) -> Product | None:
        stored = self.by_sku.get(sku)
        if stored is None or stored.available + delta < 0:
            return None
        changed = replace(
            stored,
            on_hand=stored.on_hand + delta,
            stock_version=stored.stock_version + 1,
            updated_at=max(stored.updated_at, at),
        )
        self.by_sku[sku] = changed
        return changed

    async def add_movement(self, movement: StockMovement) -> None:
        self.movements.append(movement)

    async def hold(self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId) -> bool:
        for item in items:
            p = self.by_sku.get(item.sku)
            if p is None or p.status is not ProductStatus.ACTIVE or p.available < item.quantity:
                return False
        for item in items:
            self._move(item, order_id, at, new_id, MovementKind.RESERVED, 0, item.quantity)
        return True

    async def take(self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId) -> None:
        for item in items:
            q = item.quantity
            self._move(item, order_id, at, new_id, MovementKind.COMMITTED, -q, -q)

    async def unhold(
        self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId
    ) -> None:
        for item in items:
            self._move(item, order_id, at, new_id, MovementKind.RELEASED, 0, -item.quantity)

    def _move(
        self,
        item: Item,
        order_id: str,
        at: datetime,
        new_id: NewId,
        kind: MovementKind,
        on_hand: int,
        reserved: int,
    ) -> None:
        p = self.by_sku[item.sku]
        changed = replace(
            p,
            on_hand=p.on_hand + on_hand,
            reserved=p.reserved + reserved,
            stock_version=p.stock_version + 1,
            updated_at=max(p.updated_at, at),
        )
        assert 0 <= changed.reserved <= changed.on_hand, f"{item.sku}: {changed}"
        self.by_sku[item.sku] = changed
        self.movements.append(
            StockMovement(
                new_id(),
                p.sku,
                at,
                kind,
                on_hand,
                reserved,
                changed.on_hand,
                changed.reserved,
                order_id=order_id,
            )
        )

    async def history(
        self, sku: str, first: int, after: tuple[datetime, str] | None
    ) -> MovementPage:
        mine = sorted(
            (m for m in self.movements if m.sku == sku), key=lambda m: (m.at, m.id), reverse=True
        )
        if after is not None:
            mine = [m for m in mine if (m.at, m.id) < after]
        return MovementPage(mine[:first], has_next=len(mine) > first)


class InMemoryReservations:
    """The `Reservations` port over a dict, versions checked."""

    def __init__(self) -> None:
        self.by_order: dict[str, Reservation] = {}

    async def get(self, order_id: str) -> Reservation | None:
        return self.by_order.get(order_id)

    async def add(self, reservation: Reservation) -> None:
        if reservation.order_id in self.by_order:
            raise ConcurrentUpdate(reservation.order_id)
        self.by_order[reservation.order_id] = replace(reservation, events=())

    async def save(self, reservation: Reservation) -> None:
        stored = self.by_order.get(reservation.order_id)
        if stored is None or stored.version != reservation.version - 1:
            raise ConcurrentUpdate(reservation.order_id)
        self.by_order[reservation.order_id] = replace(reservation, events=())
