"""Place an order for the signed-in user, priced on the server from the price list."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from subgraphs.kernel.events import Event
from subgraphs.orders.domain.order import CREATED, Order, OrderLine, created_payload, place_order
from subgraphs.orders.usecase.ports import Catalog, Clock, OrderRepository

PRODUCER = "orders"


class CreateOrder:
    """Create a PENDING order; emits `orders.created`."""

    def __init__(
        self,
        orders: OrderRepository,
        catalog: Catalog,
        clock: Clock,
        new_id: Callable[[], str],
    ) -> None:
        self._orders = orders
        self._catalog = catalog
        self._clock = clock
        self._new_id = new_id

    async def __call__(self, user_id: str, lines: Sequence[OrderLine], currency: str) -> Order:
        skus = list(dict.fromkeys(line.sku for line in lines))[:100]
        products = {p.sku: p for p in await self._catalog.products(skus)} if skus else {}
        now = self._clock()
        order = place_order(
            order_id=self._new_id(),
            user_id=user_id,
            lines=lines,
            currency=currency.strip().upper(),
            products=products,
            now=now,
        )
        event = Event.create(CREATED, created_payload(order), producer=PRODUCER, occurred_at=now)
        await self._orders.add(order, [event])
        return order
