"""Live order status, fed from the orders event stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.public_errors import PublicError
from subgraphs.orders.domain.order import STATUS_EVENTS, OrderStatus
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.transport.types import OrderStatusChange, load_order

_STATUS_EVENT_TYPES = frozenset(STATUS_EVENTS.values())


class OrderNotFound(PublicError):
    code = "NOT_FOUND"
    default_message = "No such order."


@strawberry.type(
    description="Live updates (graphql-transport-ws, or multipart HTTP through Apollo Router)."
)
class Subscription:
    @strawberry.subscription(
        description="Each status change of one of your orders (staff with `orders:read:any`: "
        "of any order), in order."
    )
    async def order_status_changed(
        self,
        info: Info[OrdersContext, None],
        order_id: Annotated[strawberry.ID, strawberry.argument(description="One of your orders.")],
    ) -> AsyncGenerator[OrderStatusChange, None]:
        feed = info.context.usecases.status_feed
        # Listen before checking, so a change right after the check is not missed.
        async with feed.subscribe(str(order_id)) as events:
            if await load_order(info, str(order_id), any_with=Scope.ORDERS_READ_ANY) is None:
                raise OrderNotFound()
            async for event in events:
                if event.type not in _STATUS_EVENT_TYPES:
                    continue
                await info.context.auth.require()  # ends the stream once the token expired
                previous = event.payload.get("previous_status")
                yield OrderStatusChange(
                    order_id=strawberry.ID(str(event.payload["order_id"])),
                    status=OrderStatus(event.payload["status"]),
                    previous_status=OrderStatus(previous) if previous else None,
                    occurred_at=event.occurred_at,
                )
