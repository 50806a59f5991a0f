"""Live order status, fed from the orders event stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.core.clock import as_utc
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
        "of any order), in order; with `since`, first those you missed."
    )
    async def order_status_changed(
        self,
        info: Info[OrdersContext, None],
        order_id: Annotated[strawberry.ID, strawberry.argument(description="One of your orders.")],
        since: Annotated[
            datetime | None,
            strawberry.argument(
                description="The `occurredAt` of the last change you know (or the order's "
                "`updatedAt`): the subscription starts with every change after it, oldest "
                "first, then goes on live, each change once. Without it, only the changes "
                "from now on."
            ),
        ] = None,
    ) -> AsyncGenerator[OrderStatusChange, None]:
        feed = info.context.usecases.status_feed
        # Listen before checking, so a change right after the check is not missed.
        async with feed.subscribe(str(order_id)) as events:
            order = await load_order(info, str(order_id), any_with=Scope.ORDERS_READ_ANY)
            if order is None:
                raise OrderNotFound()
            known_version = 0  # live events of this order version or older are not yielded
            if since is not None:
                for left, entry in order.model.changes_since(as_utc(since)):
                    await info.context.auth.require()
                    yield OrderStatusChange(
                        order_id=order.id,
                        status=entry.status,
                        previous_status=left,
                        occurred_at=entry.at,
                    )
                known_version = order.model.version
            async for event in events:
                if event.type not in _STATUS_EVENT_TYPES:
                    continue
                if event.payload.get("order_version", known_version + 1) <= known_version:
                    continue  # in the order as read: caught up above, or known to the caller
                await info.context.auth.require()  # ends the stream once the token expired
                previous = event.payload.get("previous_status")
                yield OrderStatusChange(
                    order_id=strawberry.ID(str(event.payload["order_id"])),
                    status=OrderStatus(event.payload["status"]),
                    previous_status=OrderStatus(previous) if previous else None,
                    occurred_at=event.occurred_at,
                )
