"""Catalog queries: the active products, one product, a search, and the staff's list."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.catalog.domain import product as domain
from subgraphs.catalog.transport.context import CatalogContext
from subgraphs.catalog.transport.types import Product, ProductStatus, product_connection
from subgraphs.catalog.usecase.read_products import MAX_PAGE
from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.cost import connection_size
from subgraphs.kernel.graphql.pagination import Connection, decode_cursor, page_size
from subgraphs.kernel.graphql.types import query_root

First = Annotated[int, strawberry.argument(description=f"How many products (at most {MAX_PAGE}).")]
After = Annotated[
    str | None, strawberry.argument(description="The endCursor of the previous page.")
]


@query_root
class Query:
    @strawberry.field(description="The products for sale (active), by sku.")
    async def products(self, info: Info[CatalogContext, None]) -> list[Product]:
        return [Product.from_model(p) for p in await info.context.usecases.read_products.active()]

    @strawberry.field(description="A product by sku, archived too (see `status`); null if none.")
    async def product(
        self,
        info: Info[CatalogContext, None],
        sku: Annotated[str, strawberry.argument(description="The product's sku.")],
    ) -> Product | None:
        found = await info.context.products_by_sku.load(sku)
        return Product.from_model(found) if found else None

    @strawberry.field(
        description=f"Products for sale whose name contains `query` (case-insensitive), by sku; "
        f"at most {MAX_PAGE} a page.",
        directives=[connection_size()],
    )
    async def product_search(
        self,
        info: Info[CatalogContext, None],
        query: Annotated[
            str | None, strawberry.argument(description="Part of the name; all when empty.")
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[Product]:
        after_sku = decode_cursor(after) if after is not None else None
        page = await info.context.usecases.read_products.search(
            query, page_size(first, MAX_PAGE), after_sku
        )
        return product_connection(page)

    @strawberry.field(
        description=f"Staff: every product, archived too, whose sku or name contains `query`, "
        f"by sku; at most {MAX_PAGE} a page (catalog:write).",
        directives=[connection_size()],
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    async def staff_products(
        self,
        info: Info[CatalogContext, None],
        query: Annotated[
            str | None, strawberry.argument(description="Part of the sku or name; all when empty.")
        ] = None,
        status: Annotated[
            ProductStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only products in this status; all when null."),
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[Product]:
        after_sku = decode_cursor(after) if after is not None else None
        wanted = domain.ProductStatus(status.value) if status is not None else None
        page = await info.context.usecases.read_products.staff_search(
            query, wanted, page_size(first, MAX_PAGE), after_sku
        )
        return product_connection(page)
