"""Place an order for the signed-in user, priced on the server from the price list.

Under an idempotency key the request takes effect once: sent again (a client
or the gateway retrying after a lost answer), even concurrently, it returns
the order the first one placed; with a different request it is
IDEMPOTENCY_KEY_REUSED.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.idempotency import key_reused
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.orders.domain.order import Order, OrderLine, place_order
from subgraphs.orders.usecase.ports import Catalog, IdempotencyKeyTaken, OrderRepository


class CreateOrder:
    """Create a PENDING order, priced from orders' copy of the catalog and payable for
    `ttl` (then the expiry pass cancels it); emits `orders.created`."""

    def __init__(
        self,
        orders: OrderRepository,
        catalog: Catalog,
        uow: UnitOfWork,
        clock: Clock,
        new_id: NewId,
        ttl: timedelta | None = None,
    ) -> None:
        self._orders = orders
        self._uow = uow
        self._catalog = catalog
        self._clock = clock
        self._new_id = new_id
        self._ttl = ttl

    async def __call__(
        self,
        user_id: str,
        lines: Sequence[OrderLine],
        currency: str,
        idempotency_key: str | None = None,
    ) -> Order:
        currency = currency.strip().upper()
        if idempotency_key is not None:
            placed = await self._orders.by_idempotency_key(user_id, idempotency_key)
            if placed is not None:
                return _same_request(placed, lines, currency)
        skus = list(dict.fromkeys(line.sku for line in lines))[:100]
        products = {p.sku: p for p in await self._catalog.products(skus)} if skus else {}
        order = place_order(
            order_id=self._new_id(),
            user_id=user_id,
            lines=lines,
            currency=currency,
            products=products,
            now=self._clock(),
            ttl=self._ttl,
            idempotency_key=idempotency_key,
        )
        try:
            await self._uow(partial(self._orders.add, order), recorded=order)
        except IdempotencyKeyTaken:  # a concurrent duplicate placed it first: that one is ours
            assert idempotency_key is not None
            placed = await self._orders.by_idempotency_key(user_id, idempotency_key)
            if placed is None:
                raise
            return _same_request(placed, lines, currency)
        return order


def _same_request(placed: Order, lines: Sequence[OrderLine], currency: str) -> Order:
    if not placed.placed_as(lines, currency):
        raise key_reused()
    return placed
