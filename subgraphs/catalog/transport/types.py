"""GraphQL types of the catalog subgraph: a mapping layer over the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from subgraphs.catalog.domain import movement as movement_domain
from subgraphs.catalog.domain import product as domain
from subgraphs.catalog.transport.context import CatalogContext
from subgraphs.catalog.usecase.ports import MovementPage, ProductPage
from subgraphs.catalog.usecase.read_products import MAX_PAGE
from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.cost import connection_size
from subgraphs.kernel.graphql.enums import described_enum
from subgraphs.kernel.graphql.pagination import (
    Connection,
    encode_cursor,
    page_size,
    time_after,
    time_cursor,
)
from subgraphs.kernel.graphql.types import Money

ProductStatus = described_enum(
    domain.ProductStatus,
    description="Whether a product is sold.",
    values={
        "ACTIVE": "Listed and orderable.",
        "ARCHIVED": "No longer listed nor orderable; it can be restored.",
    },
)

StockAdjustmentReason = described_enum(
    domain.AdjustmentReason,
    name="StockAdjustmentReason",
    description="Why staff change the units on hand.",
    values={
        "RECEIVED": "Units arrived (a positive change).",
        "COUNTED": "A count found a different number.",
        "DAMAGED": "Units were damaged or lost (a negative change).",
        "RETURNED": "Units came back, e.g. from a refunded order.",
    },
)

StockMovementKind = described_enum(
    movement_domain.MovementKind,
    name="StockMovementKind",
    description="What changed a product's stock.",
    values={
        "RECEIVED": "Staff: units received.",
        "COUNTED": "Staff: a count.",
        "DAMAGED": "Staff: units damaged or lost.",
        "RETURNED": "Units returned (by staff, or a refund with restock).",
        "RESERVED": "Units held for a placed order.",
        "RELEASED": "An order's held units available again (cancelled or expired).",
        "COMMITTED": "An order's held units left the stock (paid).",
        "SEEDED": "The starting stock.",
    },
)


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.type(description="A product's stock levels.")
class ProductStock:
    on_hand: int = strawberry.field(description="Units in the warehouse.")
    reserved: int = strawberry.field(description="Units held for placed orders not paid yet.")
    available: int = strawberry.field(description="onHand - reserved: what can be ordered now.")


@strawberry.type(description="One change of a product's stock, with the levels after it.")
class StockMovement:
    id: strawberry.ID = strawberry.field(description="The movement's identifier.")
    at: datetime = strawberry.field(description="When.")
    kind: StockMovementKind = strawberry.field(description="What changed it.")  # type: ignore[valid-type]
    on_hand_delta: int = strawberry.field(description="The change of the units on hand.")
    reserved_delta: int = strawberry.field(description="The change of the units reserved.")
    on_hand: int = strawberry.field(description="Units on hand after it.")
    reserved: int = strawberry.field(description="Units reserved after it.")
    note: str | None = strawberry.field(description="The staff member's note, if any.")
    order_id: strawberry.ID | None = strawberry.field(description="The order it was for, if any.")
    actor: User | None = strawberry.field(description="The staff member; null for the system.")

    @classmethod
    def from_model(cls, m: movement_domain.StockMovement) -> StockMovement:
        return cls(
            id=strawberry.ID(m.id),
            at=m.at,
            kind=m.kind,
            on_hand_delta=m.on_hand_delta,
            reserved_delta=m.reserved_delta,
            on_hand=m.on_hand,
            reserved=m.reserved,
            note=m.note,
            order_id=strawberry.ID(m.order_id) if m.order_id else None,
            actor=User(id=strawberry.ID(m.actor_id)) if m.actor_id else None,
        )


@strawberry.federation.type(keys=["sku"], description="A product of the catalog.")
class Product:
    sku: str = strawberry.field(description="The stock-keeping unit that identifies it.")
    name: str = strawberry.field(description="Its name, as shown to customers.")
    description: str = strawberry.field(description="Its description (may be empty).")
    status: ProductStatus = strawberry.field(description="Whether it is sold.")  # type: ignore[valid-type]
    available: int = strawberry.field(description="How many can be ordered now.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it or its stock last changed.")
    model: strawberry.Private[domain.Product]

    @strawberry.field(description="The price in `currency` (USD or EUR); null if not sold in it.")
    def price(
        self,
        currency: Annotated[
            str, strawberry.argument(description="ISO 4217 code: USD or EUR.")
        ] = "USD",
    ) -> Money | None:
        price = self.model.price(currency.upper())
        return Money.from_value(price) if price else None

    @strawberry.field(description="The price in every currency it is sold in.")
    def prices(self) -> list[Money]:
        return [Money(amount=amount, currency=c) for c, amount in sorted(self.model.prices.items())]

    @strawberry.field(
        description="Staff: units on hand, reserved and available (catalog:write).",
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    def stock(self) -> ProductStock:
        p = self.model
        return ProductStock(on_hand=p.on_hand, reserved=p.reserved, available=p.available)

    @strawberry.field(
        description=f"Staff: what changed its stock, newest first, at most {MAX_PAGE} a page "
        "(catalog:write).",
        directives=[connection_size()],
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    async def stock_history(
        self,
        info: Info[CatalogContext, None],
        first: Annotated[
            int, strawberry.argument(description=f"How many movements (at most {MAX_PAGE}).")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> Connection[StockMovement]:
        size = page_size(first, MAX_PAGE)
        page = await info.context.usecases.read_products.history(self.sku, size, time_after(after))
        return movement_connection(page)

    @classmethod
    def from_model(cls, product: domain.Product) -> Product:
        return cls(
            sku=product.sku,
            name=product.name,
            description=product.description,
            status=product.status,
            available=product.available,
            created_at=product.created_at,
            updated_at=product.updated_at,
            model=product,
        )

    @classmethod
    async def resolve_references(
        cls, info: Info[CatalogContext, None], keys: list[dict[str, Any]]
    ) -> list[Product | None]:
        """Products referenced by other subgraphs (any status), in one read."""
        products = await info.context.usecases.read_products.by_skus([str(k["sku"]) for k in keys])
        return [cls.from_model(p) if p else None for p in products]

    @classmethod
    async def resolve_reference(cls, info: Info[CatalogContext, None], sku: str) -> Product | None:
        """One reference, as stock Strawberry asks (the kernel calls `resolve_references`)."""
        product = await info.context.products_by_sku.load(sku)
        return cls.from_model(product) if product else None


def product_connection(page: ProductPage) -> Connection[Product]:
    """A page of products, each product's cursor its sku."""
    return Connection.of(
        ((Product.from_model(p), encode_cursor(p.sku)) for p in page.products),
        has_next=page.has_next,
    )


def movement_connection(page: MovementPage) -> Connection[StockMovement]:
    return Connection.of(
        ((StockMovement.from_model(m), time_cursor(m.at, m.id)) for m in page.movements),
        has_next=page.has_next,
    )
