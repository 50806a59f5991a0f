"""Keep orders' copy of the catalog: `catalog.product_changed` -> the `products` projection."""

from __future__ import annotations

import logging

from subgraphs.kernel.core.events import Event
from subgraphs.orders.domain.catalog import product_from_event
from subgraphs.orders.usecase.ports import Catalog

log = logging.getLogger(__name__)


class ApplyProductChange:
    """Store the product a `catalog.product_changed` announces, unless a newer one is stored.

    The highest `product_version` wins, so a redelivered or late event changes
    nothing and no inbox claim is needed. A malformed payload is dead-lettered.
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    async def __call__(self, event: Event) -> None:
        product = product_from_event(event.payload)
        if not await self._catalog.apply(product):
            log.info(
                "product change older than the stored one; ignored",
                extra={"event_id": event.id, "sku": product.sku, "version": product.version},
            )
