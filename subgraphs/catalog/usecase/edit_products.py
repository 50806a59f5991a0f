"""Staff edit the catalog: create, update, change prices, archive, restore; each change emits
`catalog.product_changed` with the staff member's id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial

from subgraphs.catalog.domain.product import Product, new_product, normal_sku
from subgraphs.catalog.usecase.ports import ConcurrentUpdate, Products, SkuTaken
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError, retryable
from subgraphs.kernel.core.unit_of_work import UnitOfWork

ATTEMPTS = 3

Prices = Sequence[tuple[Decimal, str]]


def not_found() -> DomainError:
    return DomainError.of("PRODUCT_NOT_FOUND", "No product with this sku.", "sku")


def concurrent() -> DomainError:
    return retryable("CONCURRENT_UPDATE", "The product changed meanwhile; try again.", "sku")


class EditProducts:
    """The catalog-field edits of products, each with an optimistic version check."""

    def __init__(self, products: Products, uow: UnitOfWork, clock: Clock) -> None:
        self._products = products
        self._uow = uow
        self._clock = clock

    async def create(
        self, actor_id: str, sku: str, name: str, description: str, prices: Prices
    ) -> Product:
        """A new ACTIVE product with nothing on hand; SKU_TAKEN if the sku exists."""
        product = new_product(sku, name, description, prices, self._clock(), actor_id)
        try:
            await self._uow(partial(self._products.add, product), recorded=product)
        except SkuTaken:
            raise DomainError.of("SKU_TAKEN", "A product with this sku exists.", "sku") from None
        return product

    async def update(
        self, actor_id: str, sku: str, name: str | None, description: str | None
    ) -> Product:
        """A new name and/or description; the one omitted (None) stays."""
        return await self._change(sku, lambda p, now: p.update(name, description, now, actor_id))

    async def change_prices(self, actor_id: str, sku: str, prices: Prices) -> Product:
        """Replace the price list; orders placed before keep the prices they were placed at."""
        return await self._change(sku, lambda p, now: p.change_prices(prices, now, actor_id))

    async def archive(self, actor_id: str, sku: str) -> Product:
        """No longer listed nor orderable; its stock and reservations stay."""
        return await self._change(sku, lambda p, now: p.archive(now, actor_id))

    async def restore(self, actor_id: str, sku: str) -> Product:
        return await self._change(sku, lambda p, now: p.restore(now, actor_id))

    async def _change(self, sku: str, change: Callable[[Product, datetime], Product]) -> Product:
        for _ in range(ATTEMPTS):
            [product] = await self._products.get_many([normal_sku(sku)])
            if product is None:
                raise not_found()
            changed = change(product, self._clock())
            try:
                await self._uow(partial(self._products.save, changed), recorded=changed)
            except ConcurrentUpdate:
                continue
            return changed
        raise concurrent()
