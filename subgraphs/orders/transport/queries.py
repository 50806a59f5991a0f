"""Orders queries: a customer's own order, and every customer's orders (staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.core.clock import as_utc
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.cost import connection_size
from subgraphs.kernel.graphql.pagination import Connection, decode_cursor, page_size
from subgraphs.kernel.graphql.types import query_root
from subgraphs.orders.domain import order as domain
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.transport.types import (
    Order,
    OrderStatus,
    load_order,
    order_connection,
)
from subgraphs.orders.usecase.ports import OrderFilter
from subgraphs.orders.usecase.read_orders import MAX_PAGE


@strawberry.input(description="Which orders `staffOrders` lists: those matching every field given.")
class StaffOrderFilter:
    status: OrderStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only orders in this status."
    )
    created_from: datetime | None = strawberry.field(
        default=None, description="Only orders placed at or after this time (UTC if no offset)."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Only orders placed before this time (UTC if no offset)."
    )
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this customer's orders (their user id)."
    )
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the order with this id."
    )

    def to_filter(self) -> OrderFilter:
        return OrderFilter(
            user_id=str(self.customer_id) if self.customer_id is not None else None,
            status=domain.OrderStatus(self.status.value) if self.status is not None else None,
            created_from=as_utc(self.created_from) if self.created_from is not None else None,
            created_before=as_utc(self.created_before) if self.created_before is not None else None,
            order_id=str(self.order_id) if self.order_id is not None else None,
        )


@query_root
class Query:
    @strawberry.field(description="One of your orders; null if there is no such order.")
    async def order(
        self,
        info: Info[OrdersContext, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The order's identifier.")],
    ) -> Order | None:
        return await load_order(info, str(id))

    @strawberry.field(
        description="Staff: any customer's order by id; null if there is no such order.",
        extensions=requires_scope(Scope.ORDERS_READ_ANY),
    )
    async def staff_order(
        self,
        info: Info[OrdersContext, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The order's identifier.")],
    ) -> Order | None:
        return await load_order(info, str(id), any_with=Scope.ORDERS_READ_ANY)

    @strawberry.field(
        description=f"Staff: every customer's orders, newest first, filtered; at most {MAX_PAGE} "
        "a page.",
        directives=[connection_size()],
        extensions=requires_scope(Scope.ORDERS_READ_ANY),
    )
    async def staff_orders(
        self,
        info: Info[OrdersContext, None],
        filter: Annotated[
            StaffOrderFilter | None,
            strawberry.argument(description="Which orders; all of them when omitted."),
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"How many orders (at most {MAX_PAGE}).")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> Connection[Order]:
        after_id = decode_cursor(after) if after is not None else None
        size = page_size(first, MAX_PAGE)
        where = filter.to_filter() if filter is not None else OrderFilter()
        page = await info.context.usecases.read_orders.page_of_all(where, size, after_id)
        return order_connection(page)
