"""Orders queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.types import query_root
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.transport.types import Order, Product, load_owned_order


@query_root
class Query:
    @strawberry.field(description="The price list.")
    async def products(self, info: Info[OrdersContext, None]) -> list[Product]:
        return [Product.from_model(p) for p in await info.context.usecases.read_orders.products()]

    @strawberry.field(description="One of your orders; null if there is no such order.")
    async def order(
        self,
        info: Info[OrdersContext, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The order's identifier.")],
    ) -> Order | None:
        return await load_owned_order(info, str(id))
