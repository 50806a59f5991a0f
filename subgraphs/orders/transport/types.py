"""GraphQL types of the orders subgraph: a mapping layer over the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.cost import bounded_list, connection_size
from subgraphs.kernel.graphql.enums import described_enum
from subgraphs.kernel.graphql.pagination import (
    Connection,
    decode_cursor,
    encode_cursor,
    page_size,
)
from subgraphs.kernel.graphql.public_errors import Forbidden
from subgraphs.kernel.graphql.types import Money
from subgraphs.orders.domain import order as domain
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.usecase.ports import Page
from subgraphs.orders.usecase.read_orders import MAX_PAGE

OrderStatus = described_enum(
    domain.OrderStatus,
    description="Where an order is in its life.",
    values={
        "PENDING": "Placed, waiting for its payment.",
        "PAID": "Paid in full.",
        "PAYMENT_FAILED": "The last payment attempt failed; it can be paid again.",
        "CANCELLED": "Cancelled before it was paid (by the customer, staff, or the system "
        "when it expired unpaid).",
        "REFUNDED": "Paid, then refunded in full.",
        "REJECTED": "Not accepted: the catalog could not reserve all its units (out of stock).",
    },
)


OrderActorKind = described_enum(
    domain.ActorKind,
    name="OrderActorKind",
    description="Who caused a change of an order's status.",
    values={
        "CUSTOMER": "The customer who placed the order.",
        "STAFF": "A staff member (see `actor`).",
        "SYSTEM": "The system, e.g. on a payment's outcome.",
    },
)


@strawberry.type(description="A status an order took: when, caused by whom, why.")
class OrderTimelineEntry:
    status: OrderStatus = strawberry.field(description="The status it took.")  # type: ignore[valid-type]
    at: datetime = strawberry.field(description="When.")
    actor_kind: OrderActorKind = strawberry.field(  # type: ignore[valid-type]
        description="Who caused it: the customer, a staff member or the system."
    )
    actor: User | None = strawberry.field(
        description="The customer or the staff member; null for the system."
    )
    reason: str | None = strawberry.field(description="Why, when a reason was given.")

    @classmethod
    def from_model(cls, entry: domain.TimelineEntry) -> OrderTimelineEntry:
        actor_id = entry.actor.id
        return cls(
            status=entry.status,
            at=entry.at,
            actor_kind=entry.actor.kind,
            actor=User(id=strawberry.ID(actor_id)) if actor_id is not None else None,
            reason=entry.reason,
        )


@strawberry.type(description="A product in an order, priced when the order was placed.")
class OrderItem:
    sku: str = strawberry.field(description="The product's stock-keeping unit.")
    name: str = strawberry.field(description="The product's name when the order was placed.")
    quantity: int = strawberry.field(description="How many were ordered.")
    unit_price: Money = strawberry.field(description="The price of one, when ordered.")
    line_total: Money = strawberry.field(description="unitPrice times quantity.")


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field(
        description=f"The user's orders, newest first (the user only); at most {MAX_PAGE} a page.",
        directives=[connection_size()],
    )
    async def orders(
        self,
        info: Info[OrdersContext, None],
        first: Annotated[
            int, strawberry.argument(description=f"How many orders (at most {MAX_PAGE}).")
        ] = 10,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> Connection[Order]:
        principal = await info.context.auth.require()
        if principal.user_id != self.id:
            raise Forbidden()
        after_id = decode_cursor(after) if after is not None else None
        size = page_size(first, MAX_PAGE)
        page = await info.context.usecases.read_orders.page_for_user(self.id, size, after_id)
        return order_connection(page)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.federation.type(keys=["id"], description="An order placed by a user.")
class Order:
    id: strawberry.ID = strawberry.field(description="The order's identifier.")
    status: OrderStatus = strawberry.field(description="Where it is in its life.")  # type: ignore[valid-type]

    @strawberry.field(
        description="What was ordered, priced.", directives=[bounded_list(domain.MAX_LINES)]
    )
    def items(self) -> list[OrderItem]:
        # Built when asked for: a list of orders usually shows totals, not lines.
        return [
            OrderItem(
                sku=i.sku,
                name=i.name,
                quantity=i.quantity,
                unit_price=Money.from_value(i.unit_price),
                line_total=Money.from_value(i.line_total),
            )
            for i in self.model.items
        ]

    total: Money = strawberry.field(description="The sum of the items' line totals.")
    created_at: datetime = strawberry.field(description="When it was placed.")
    updated_at: datetime = strawberry.field(description="When its status last changed.")
    user: User = strawberry.field(description="Who placed it.")
    stock_reserved: bool = strawberry.field(
        description="True once the catalog reserved all its units; it can be paid only then."
    )
    model: strawberry.Private[domain.Order]

    @strawberry.field(
        description="Until when it can be paid (then it is cancelled, reason expired); null "
        "once it can no longer be paid."
    )
    def expires_at(self) -> datetime | None:
        return self.model.expires_at if self.model.payable else None

    @strawberry.field(
        description="Staff: every status it took, oldest first, with who caused it and why.",
        directives=[bounded_list(len(domain.OrderStatus))],
        extensions=requires_scope(Scope.ORDERS_READ_ANY),
    )
    def timeline(self) -> list[OrderTimelineEntry]:
        return [OrderTimelineEntry.from_model(e) for e in self.model.history]

    @classmethod
    def from_model(cls, order: domain.Order) -> Order:
        return cls(
            id=strawberry.ID(order.id),
            status=order.status,
            total=Money.from_value(order.total),
            created_at=order.created_at,
            updated_at=order.updated_at,
            user=User(id=strawberry.ID(order.user_id)),
            stock_reserved=order.stock_reserved,
            model=order,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[OrdersContext, None], id: strawberry.ID
    ) -> Order | None:
        # Other subgraphs' fields hang off an order (its payment): staff read any order.
        return await load_order(info, str(id), any_with=Scope.ORDERS_READ_ANY)


def order_connection(page: Page) -> Connection[Order]:
    """A page of orders as a connection, each order's cursor its id."""
    return Connection.of(
        ((Order.from_model(o), encode_cursor(o.id)) for o in page.orders), has_next=page.has_next
    )


async def load_order(
    info: Info[OrdersContext, None], order_id: str, *, any_with: Scope | None = None
) -> Order | None:
    """The order by id for its owner, or for any caller holding `any_with`; None if there is
    none or the caller may not read it (the same answer, so an id's existence is not
    confirmed to a stranger)."""
    principal = await info.context.auth.require()
    order = await info.context.orders_by_id.load(order_id)
    if order is None:
        return None
    allowed = (
        principal.may_read(order.user_id, any_with)
        if any_with is not None
        else order.user_id == principal.user_id
    )
    return Order.from_model(order) if allowed else None


@strawberry.type(description="A change of an order's status.")
class OrderStatusChange:
    order_id: strawberry.ID = strawberry.field(description="The order that changed.")
    status: OrderStatus = strawberry.field(description="Its new status.")  # type: ignore[valid-type]
    previous_status: OrderStatus | None = strawberry.field(  # type: ignore[valid-type]
        description="Its status before; null for a new order."
    )
    occurred_at: datetime = strawberry.field(description="When it changed.")
