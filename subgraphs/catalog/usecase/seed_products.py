"""Seed the starting products once: those missing are inserted with the configured stock."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from subgraphs.catalog.domain.movement import MovementKind, StockMovement
from subgraphs.catalog.domain.product import new_product
from subgraphs.catalog.domain.seed import SeedProduct
from subgraphs.catalog.usecase.ports import Products, SkuTaken
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class SeedProducts:
    """Insert each missing seed product with `stock` units on hand (a SEEDED movement) and its
    `catalog.product_changed` (change "seeded"), one unit of work each; existing products,
    maybe edited, are left alone, so running it again (or on two replicas) changes nothing."""

    def __init__(self, products: Products, uow: UnitOfWork, clock: Clock, new_id: NewId) -> None:
        self._products = products
        self._uow = uow
        self._clock = clock
        self._new_id = new_id

    async def __call__(self, seeds: Iterable[SeedProduct], stock: int) -> int:
        """How many products were inserted."""
        seeds = list(seeds)
        existing = await self._products.get_many([s.sku for s in seeds])
        inserted = 0
        for seed, found in zip(seeds, existing, strict=True):
            if found is not None:
                continue
            now = self._clock()
            product = new_product(
                seed.sku, seed.name, seed.description, seed.prices, now, None,
                on_hand=stock, change="seeded",
            )  # fmt: skip
            movement = StockMovement(
                self._new_id(), product.sku, now, MovementKind.SEEDED, stock, 0, stock, 0
            )
            try:
                await self._uow(partial(self._products.add, product, movement), recorded=product)
            except SkuTaken:  # another replica seeded it meanwhile
                continue
            inserted += 1
        if inserted:
            log.info("catalog seeded", extra={"products": inserted, "stock": stock})
        return inserted
