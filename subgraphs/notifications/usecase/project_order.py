"""Keep the order-summary projection: each recent order's total, from `orders.created`.

A payment event may carry no amount; the receipt then shows the order's
total kept here. Putting the same summary again is harmless, so a
redelivered event changes nothing.
"""

from __future__ import annotations

from subgraphs.kernel.core.events import Event
from subgraphs.notifications.domain.messages import ORDER_CREATED, InvalidPayload
from subgraphs.notifications.usecase.ports import OrderSummaries


class ProjectOrderSummary:
    """Apply `orders.created` to the order-summary projection."""

    TYPES = frozenset({ORDER_CREATED})

    def __init__(self, orders: OrderSummaries) -> None:
        self._orders = orders

    async def __call__(self, event: Event) -> None:
        payload = event.payload
        order_id, total, currency = (payload.get(k) for k in ("order_id", "total", "currency"))
        if not isinstance(order_id, str) or not order_id or total is None or not currency:
            raise InvalidPayload("orders.created needs 'order_id', 'total' and 'currency'")
        await self._orders.put(order_id, {"total": str(total), "currency": str(currency)})
