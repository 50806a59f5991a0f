"""On start, every product is announced again (`catalog.product_changed`, change "snapshot"),
so a consumer's copy of the catalog fills even once the stream dropped the first events."""

from __future__ import annotations

import logging

from subgraphs.catalog.usecase.ports import ProductFilter, Products
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.unit_of_work import Decided, UnitOfWork

log = logging.getLogger(__name__)

PAGE = 100


class AnnounceProducts:
    """Each product's current version, archived ones too, through the outbox (a unit of work
    a page). The `product_version` is the stored one, so a copy that keeps the highest
    version (orders') changes nothing it has already; two replicas announcing is harmless."""

    def __init__(self, products: Products, uow: UnitOfWork, clock: Clock) -> None:
        self._products = products
        self._uow = uow
        self._clock = clock

    async def __call__(self) -> int:
        """How many products were announced."""
        announced, after = 0, None
        while True:
            page = await self._products.page(ProductFilter(), PAGE, after)
            if not page.products:
                break
            now = self._clock()
            snapshot = Decided([p.product_changed("snapshot", None, at=now) for p in page.products])
            await self._uow(_nothing, recorded=snapshot)
            announced += len(page.products)
            after = page.products[-1].sku
            if not page.has_next:
                break
        log.info("catalog announced", extra={"products": announced})
        return announced


async def _nothing() -> None:
    """The snapshot changes no product: its unit of work only writes the events."""
