"""Orders mutations: each takes an input object and returns a payload with `userErrors`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.core.reasons import MAX_REASON_LENGTH
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.types import MutationPayload, mutation_root, payload
from subgraphs.orders.domain.order import OrderLine
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.transport.types import Order


@strawberry.input(description="One line of a new order.")
class OrderLineInput:
    sku: str = strawberry.field(description="The product's stock-keeping unit (see `products`).")
    quantity: int = strawberry.field(description="How many, at least 1.")


@strawberry.input(description="A new order.")
class CreateOrderInput:
    items: list[OrderLineInput] = strawberry.field(description="What to order, one line a product.")
    currency: str = strawberry.field(default="USD", description="ISO 4217 code: USD or EUR.")
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Chosen by the client, unique per order it means to place (1 to 255 "
        "characters); sent again with the same items and currency it returns the order it "
        "placed, never a second one. With it the gateway may retry the mutation when the "
        "connection to the orders service fails.",
    )


@strawberry.input(description="The order to cancel.")
class CancelOrderInput:
    order_id: strawberry.ID = strawberry.field(description="One of your orders, not paid yet.")


@strawberry.input(description="The order staff cancel, and why.")
class StaffCancelOrderInput:
    order_id: strawberry.ID = strawberry.field(description="Any customer's order, not paid yet.")
    reason: str = strawberry.field(
        description=f"Why (1 to {MAX_REASON_LENGTH} characters); shown on the order's timeline."
    )


@strawberry.type(description="The result of `createOrder`.")
class CreateOrderPayload(MutationPayload):
    order: Order | None = strawberry.field(
        default=None, description="The new order; null on userErrors."
    )


@strawberry.type(description="The result of `cancelOrder` and `staffCancelOrder`.")
class CancelOrderPayload(MutationPayload):
    order: Order | None = strawberry.field(
        default=None, description="The cancelled order; null on userErrors."
    )


@mutation_root
class Mutation:
    @strawberry.mutation(
        description="Place an order; prices come from the catalog. It stays PENDING (and "
        "cannot be paid) until the catalog reserved its units (`stockReserved`), or becomes "
        "REJECTED when it could not. userErrors codes: NO_ITEMS, TOO_MANY_ITEMS, "
        "INVALID_QUANTITY, UNSUPPORTED_CURRENCY, UNKNOWN_SKU, PRODUCT_UNAVAILABLE (archived), "
        "PRICE_NOT_AVAILABLE (no price in that currency), INVALID_IDEMPOTENCY_KEY, "
        "IDEMPOTENCY_KEY_REUSED (the key placed an order with other items or currency)."
    )
    async def create_order(
        self,
        info: Info[OrdersContext, None],
        input: Annotated[CreateOrderInput, strawberry.argument(description="The order.")],
    ) -> CreateOrderPayload:
        principal = await info.context.auth.require()
        lines = [OrderLine(i.sku, i.quantity) for i in input.items]
        return await payload(
            CreateOrderPayload,
            info.context.usecases.create_order(
                principal.user_id, lines, input.currency, input.idempotency_key
            ),
            lambda order: CreateOrderPayload(order=Order.from_model(order)),
        )

    @strawberry.mutation(description="Cancel one of your orders that is not paid yet.")
    async def cancel_order(
        self,
        info: Info[OrdersContext, None],
        input: Annotated[CancelOrderInput, strawberry.argument(description="The order.")],
    ) -> CancelOrderPayload:
        principal = await info.context.auth.require()
        return await payload(
            CancelOrderPayload,
            info.context.usecases.cancel_order(principal.user_id, str(input.order_id)),
            lambda order: CancelOrderPayload(order=Order.from_model(order)),
        )

    @strawberry.mutation(
        description="Staff: cancel any customer's order that is not paid yet, with a reason "
        "(orders:cancel:any); the customer gets the cancellation mail. userErrors codes: "
        "ORDER_NOT_FOUND, INVALID_TRANSITION (paid, refunded or cancelled), CONCURRENT_UPDATE "
        "(retry), REASON_REQUIRED, REASON_TOO_LONG.",
        extensions=requires_scope(Scope.ORDERS_CANCEL_ANY),
    )
    async def staff_cancel_order(
        self,
        info: Info[OrdersContext, None],
        input: Annotated[
            StaffCancelOrderInput, strawberry.argument(description="The order and the reason.")
        ],
    ) -> CancelOrderPayload:
        principal = await info.context.auth.require()
        cancel = info.context.usecases.cancel_order.by_staff
        return await payload(
            CancelOrderPayload,
            cancel(principal.user_id, str(input.order_id), input.reason),
            lambda order: CancelOrderPayload(order=Order.from_model(order)),
        )
