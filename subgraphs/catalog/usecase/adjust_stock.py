"""Staff adjust a product's stock with a reason; emits `stock.adjusted` with their id."""

from __future__ import annotations

from datetime import datetime

from subgraphs.catalog.domain.movement import MovementKind, StockMovement
from subgraphs.catalog.domain.product import (
    AdjustmentReason,
    Product,
    below_zero,
    checked_adjustment,
    normal_sku,
)
from subgraphs.catalog.usecase.edit_products import not_found
from subgraphs.catalog.usecase.ports import Products
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import Decided, UnitOfWork


def adjustment_movement(
    after: Product,
    delta: int,
    kind: MovementKind,
    at: datetime,
    new_id: NewId,
    **details: str | None,
) -> StockMovement:
    """The movement of a change of `delta` units on hand that left `after`'s levels."""
    return StockMovement(
        id=new_id(),
        sku=after.sku,
        at=at,
        kind=kind,
        on_hand_delta=delta,
        reserved_delta=0,
        on_hand=after.on_hand,
        reserved=after.reserved,
        **details,
    )


async def change_on_hand(
    products: Products,
    sku: str,
    delta: int,
    reason: AdjustmentReason,
    note: str | None,
    at: datetime,
    new_id: NewId,
    decided: Decided,
    *,
    actor_id: str | None,
    order_id: str | None = None,
) -> Product | None:
    """Inside a unit of work: the conditional update, its movement and `stock.adjusted` (added
    to `decided`), from the levels stored; None (nothing written) when it missed."""
    stored = await products.change_on_hand(sku, delta, at)
    if stored is None:
        return None
    adjusted = stored.stock_adjusted(delta, reason, note, at, actor_id)
    kind = MovementKind(reason.value)
    details = {"note": note, "order_id": order_id, "actor_id": actor_id}
    await products.add_movement(adjustment_movement(adjusted, delta, kind, at, new_id, **details))
    decided.events.extend(adjusted.events)
    return adjusted


class AdjustStock:
    """Units received, counted, damaged or returned: on hand changes by `delta`, never below
    what is reserved (STOCK_BELOW_ZERO). One conditional update, whatever reservations came
    in between, so staff never wait behind the orders of a busy product."""

    def __init__(self, products: Products, uow: UnitOfWork, clock: Clock, new_id: NewId) -> None:
        self._products = products
        self._uow = uow
        self._clock = clock
        self._new_id = new_id

    async def __call__(
        self,
        actor_id: str | None,
        sku: str,
        delta: int,
        reason: AdjustmentReason,
        note: str | None = None,
    ) -> Product:
        note = checked_adjustment(delta, note)
        sku = normal_sku(sku)
        [product] = await self._products.get_many([sku])
        if product is None:
            raise not_found()
        now, decided = self._clock(), Decided()
        outcome: list[Product] = []

        async def work() -> bool:
            adjusted = await change_on_hand(
                self._products, sku, delta, reason, note, now, self._new_id, decided,
                actor_id=actor_id,
            )  # fmt: skip
            if adjusted is None:
                return False
            outcome.append(adjusted)
            return True

        if not await self._uow(work, recorded=decided):
            [current] = await self._products.get_many([sku])
            raise below_zero(current.available if current is not None else 0)
        return outcome[-1]  # the try that committed
