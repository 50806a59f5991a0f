"""Read orders: by id for their owner, a user's orders page by page, the price list."""

from __future__ import annotations

from collections.abc import Sequence

from subgraphs.orders.domain.catalog import Product
from subgraphs.orders.domain.order import Order
from subgraphs.orders.usecase.ports import Catalog, OrderRepository, Page

MAX_PAGE = 100


class ReadOrders:
    def __init__(self, orders: OrderRepository, catalog: Catalog) -> None:
        self._orders = orders
        self._catalog = catalog

    async def by_ids(self, ids: Sequence[str]) -> list[Order | None]:
        """Orders in the order asked, None where there is none (owner checks are the caller's)."""
        return await self._orders.get_many(ids)

    async def page_for_user(self, user_id: str, first: int, after_id: str | None) -> Page:
        """Newest first, at most `MAX_PAGE` at once; `after_id` must be one of the user's orders."""
        first = max(0, min(first, MAX_PAGE))
        if first == 0:
            return Page([], False)
        after = None
        if after_id is not None:
            [after] = await self._orders.get_many([after_id])
            if after is None or after.user_id != user_id:
                return Page([], False)
        return await self._orders.page_for_user(user_id, first, after)

    async def products(self) -> list[Product]:
        """The whole price list, by sku."""
        return await self._catalog.products()
