"""Read orders: by id, a user's orders page by page, every customer's orders filtered (staff).
Who may read what is the transport's check (owner, or the `orders:read:any` scope)."""

from __future__ import annotations

from collections.abc import Sequence

from subgraphs.orders.domain.order import Order
from subgraphs.orders.usecase.ports import OrderFilter, OrderRepository, Page

MAX_PAGE = 100


class ReadOrders:
    def __init__(self, orders: OrderRepository) -> None:
        self._orders = orders

    async def by_ids(self, ids: Sequence[str]) -> list[Order | None]:
        """Orders in the order asked, None where there is none (owner checks are the caller's)."""
        return await self._orders.get_many(ids)

    async def page_for_user(self, user_id: str, first: int, after_id: str | None) -> Page:
        """Newest first, at most `MAX_PAGE` at once; `after_id` must be one of the user's orders."""
        return await self._page(OrderFilter(user_id=user_id), first, after_id)

    async def page_of_all(self, where: OrderFilter, first: int, after_id: str | None) -> Page:
        """Every customer's orders matching `where` (staff), newest first, at most `MAX_PAGE`
        at once, continuing after the order `after_id` (any order; a missing one ends the list)."""
        return await self._page(where, first, after_id, after_anyones=True)

    async def _page(
        self, where: OrderFilter, first: int, after_id: str | None, *, after_anyones: bool = False
    ) -> Page:
        first = max(0, min(first, MAX_PAGE))
        if first == 0:
            return Page([], False)
        after = None
        if after_id is not None:
            [after] = await self._orders.get_many([after_id])
            if after is None or not (after_anyones or after.user_id == where.user_id):
                return Page([], False)
        return await self._orders.page(where, first, after)
