"""Orders mutations: each takes an input object and returns a payload with `userErrors`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.errors import DomainError
from subgraphs.kernel.types import UserError, user_errors
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
        try:
            order = await info.context.usecases.create_order(
                principal.user_id, lines, input.currency
            )
        except DomainError as error:
            return CreateOrderPayload(user_errors=user_errors(error))
        return CreateOrderPayload(order=Order.from_model(order))

    @strawberry.mutation(description="Cancel one of your orders that is not paid yet.")
    async def cancel_order(
        self, info: Info[OrdersContext, None], input: CancelOrderInput
    ) -> CancelOrderPayload:
        principal = await info.context.auth.require()
        try:
            order = await info.context.usecases.cancel_order(principal.user_id, str(input.order_id))
        except DomainError as error:
            return CancelOrderPayload(user_errors=user_errors(error))
        return CancelOrderPayload(order=Order.from_model(order))
