"""Orders mutations: each takes an input object and returns a payload with `userErrors`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.types import UserError, payload
from subgraphs.orders.domain.order import OrderLine
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.transport.types import Order


@strawberry.input
class OrderLineInput:
    sku: str
    quantity: int


@strawberry.input
class CreateOrderInput:
    items: list[OrderLineInput]
    currency: str = "USD"


@strawberry.input
class CancelOrderInput:
    order_id: strawberry.ID


@strawberry.type
class CreateOrderPayload:
    order: Order | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CancelOrderPayload:
    order: Order | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Place an order; prices come from the price list.")
    async def create_order(
        self, info: Info[OrdersContext, None], input: CreateOrderInput
    ) -> CreateOrderPayload:
        principal = await info.context.auth.require()
        lines = [OrderLine(i.sku, i.quantity) for i in input.items]
        return await payload(
            CreateOrderPayload,
            info.context.usecases.create_order(principal.user_id, lines, input.currency),
            lambda order: CreateOrderPayload(order=Order.from_model(order)),
        )

    @strawberry.mutation(description="Cancel one of your orders that is not paid yet.")
    async def cancel_order(
        self, info: Info[OrdersContext, None], input: CancelOrderInput
    ) -> CancelOrderPayload:
        principal = await info.context.auth.require()
        return await payload(
            CancelOrderPayload,
            info.context.usecases.cancel_order(principal.user_id, str(input.order_id)),
            lambda order: CancelOrderPayload(order=Order.from_model(order)),
        )
