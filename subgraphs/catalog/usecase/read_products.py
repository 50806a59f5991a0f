"""Read products (by sku, listed, searched) and a product's stock history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from subgraphs.catalog.domain.product import Product, ProductStatus, normal_sku
from subgraphs.catalog.usecase.ports import MovementPage, ProductFilter, ProductPage, Products

MAX_PAGE = 100
MAX_QUERY = 100
ALL_ACTIVE = 1000  # `products` lists every active product, at most this many


class ReadProducts:
    def __init__(self, products: Products) -> None:
        self._products = products

    async def by_skus(self, skus: Sequence[str]) -> list[Product | None]:
        """The products of these skus (any status), None where there is none (DataLoader)."""
        return await self._products.get_many([normal_sku(s) for s in skus])

    async def active(self) -> list[Product]:
        """Every active product, by sku."""
        page = await self._products.page(
            ProductFilter(status=ProductStatus.ACTIVE), ALL_ACTIVE, None
        )
        return page.products

    async def search(self, query: str | None, first: int, after_sku: str | None) -> ProductPage:
        """Active products whose name contains `query` (case-insensitive), by sku."""
        where = ProductFilter(query=_query(query), status=ProductStatus.ACTIVE)
        return await self._products.page(where, first, after_sku)

    async def staff_search(
        self, query: str | None, status: ProductStatus | None, first: int, after_sku: str | None
    ) -> ProductPage:
        """Products of any status (or `status`) whose sku or name contains `query`."""
        where = ProductFilter(query=_query(query), status=status, sku_too=True)
        return await self._products.page(where, first, after_sku)

    async def history(
        self, sku: str, first: int, after: tuple[datetime, str] | None
    ) -> MovementPage:
        return await self._products.history(sku, first, after)


def _query(raw: str | None) -> str | None:
    query = " ".join((raw or "").split())[:MAX_QUERY]
    return query or None
