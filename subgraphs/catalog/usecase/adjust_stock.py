"""Staff adjust a product's stock with a reason; emits `stock.adjusted` with their id."""

from __future__ import annotations

from functools import partial

from subgraphs.catalog.domain.movement import MovementKind, StockMovement
from subgraphs.catalog.domain.product import AdjustmentReason, Product, normal_sku
from subgraphs.catalog.usecase.edit_products import ATTEMPTS, concurrent, not_found
from subgraphs.catalog.usecase.ports import ConcurrentUpdate, Products
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork


def adjustment_movement(
    before: Product, after: Product, kind: MovementKind, new_id: NewId, **details: str | None
) -> StockMovement:
    """The movement from `before`'s stock to `after`'s."""
    return StockMovement(
        id=new_id(),
        sku=after.sku,
        at=after.updated_at,
        kind=kind,
        on_hand_delta=after.on_hand - before.on_hand,
        reserved_delta=after.reserved - before.reserved,
        on_hand=after.on_hand,
        reserved=after.reserved,
        **details,
    )


class AdjustStock:
    """Units received, counted, damaged or returned: on hand changes by `delta`, never below
    what is reserved (STOCK_BELOW_ZERO); a concurrent reservation is re-read and decided again."""

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
        for _ in range(ATTEMPTS):
            [product] = await self._products.get_many([normal_sku(sku)])
            if product is None:
                raise not_found()
            changed = product.adjust(delta, reason, note, self._clock(), actor_id)
            movement = adjustment_movement(
                product,
                changed,
                MovementKind(reason.value),
                self._new_id,
                note=changed.events[0].payload["note"],
                actor_id=actor_id,
            )
            work = partial(self._products.save_stock, changed, movement)
            try:
                await self._uow(work, recorded=changed)
            except ConcurrentUpdate:
                continue
            return changed
        raise concurrent()
