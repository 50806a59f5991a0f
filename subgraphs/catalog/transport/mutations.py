"""Catalog mutations (staff, catalog:write): each takes an input object and returns a payload
with `userErrors`."""

from __future__ import annotations

from collections.abc import Awaitable
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.catalog.domain import product as domain
from subgraphs.catalog.transport.context import CatalogContext
from subgraphs.catalog.transport.types import Product, StockAdjustmentReason
from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.types import MutationPayload, mutation_root, payload

_PRICE_ERRORS = "PRICE_REQUIRED, UNSUPPORTED_CURRENCY, DUPLICATE_CURRENCY, INVALID_PRICE"
_NAME_ERRORS = "NAME_REQUIRED, NAME_TOO_LONG, DESCRIPTION_TOO_LONG"


@strawberry.input(description="A price in one currency.")
class PriceInput:
    amount: Decimal = strawberry.field(description="Above 0, at most 1,000,000, 2 decimals.")
    currency: str = strawberry.field(description="ISO 4217 code: USD or EUR.")


@strawberry.input(description="A new product.")
class CreateProductInput:
    sku: str = strawberry.field(description="2 to 40 letters, digits or dashes (upper-cased).")
    name: str = strawberry.field(description="1 to 200 characters.")
    description: str = strawberry.field(default="", description="At most 2000 characters.")
    prices: list[PriceInput] = strawberry.field(description="One price per currency.")


@strawberry.input(description="A product's new name, description or both (at least one).")
class UpdateProductInput:
    sku: str = strawberry.field(description="The product.")
    name: str | None = strawberry.field(
        default=None, description="1 to 200 characters; omitted or null: unchanged."
    )
    description: str | None = strawberry.field(
        default=None, description="At most 2000 characters; omitted or null: unchanged."
    )


@strawberry.input(description="A product's new price list.")
class ChangePricesInput:
    sku: str = strawberry.field(description="The product.")
    prices: list[PriceInput] = strawberry.field(
        description="Replaces the price list; placed orders keep their prices."
    )


@strawberry.input(description="The product to archive or restore.")
class ProductSkuInput:
    sku: str = strawberry.field(description="The product.")


@strawberry.input(description="A change of the units on hand, and why.")
class AdjustStockInput:
    sku: str = strawberry.field(description="The product.")
    delta: int = strawberry.field(
        description="Units more (positive) or fewer (negative) on hand; not 0, at most "
        "1,000,000 either way."
    )
    reason: StockAdjustmentReason = strawberry.field(description="Why.")  # type: ignore[valid-type]
    note: str | None = strawberry.field(default=None, description="At most 500 characters.")


@strawberry.type(description="The result of a product mutation.")
class ProductPayload(MutationPayload):
    product: Product | None = strawberry.field(
        default=None, description="The product as changed; null on userErrors."
    )


def _prices(prices: list[PriceInput]) -> list[tuple[Decimal, str]]:
    return [(p.amount, p.currency) for p in prices]


async def _done(outcome: Awaitable[domain.Product]) -> ProductPayload:
    return await payload(
        ProductPayload, outcome, lambda p: ProductPayload(product=Product.from_model(p))
    )


@mutation_root
class Mutation:
    @strawberry.mutation(
        description="Staff: add a product, with nothing on hand (catalog:write). userErrors "
        f"codes: SKU_TAKEN, INVALID_SKU, {_NAME_ERRORS}, {_PRICE_ERRORS}.",
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    async def create_product(
        self,
        info: Info[CatalogContext, None],
        input: Annotated[CreateProductInput, strawberry.argument(description="The product.")],
    ) -> ProductPayload:
        principal = await info.context.auth.require()
        edit = info.context.usecases.edit_products
        return await _done(
            edit.create(
                principal.user_id, input.sku, input.name, input.description, _prices(input.prices)
            )
        )

    @strawberry.mutation(
        description="Staff: change a product's name, description or both (catalog:write). "
        f"userErrors codes: PRODUCT_NOT_FOUND, NOTHING_TO_CHANGE, {_NAME_ERRORS}, "
        "CONCURRENT_UPDATE.",
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    async def update_product(
        self,
        info: Info[CatalogContext, None],
        input: Annotated[UpdateProductInput, strawberry.argument(description="The change.")],
    ) -> ProductPayload:
        principal = await info.context.auth.require()
        edit = info.context.usecases.edit_products
        return await _done(edit.update(principal.user_id, input.sku, input.name, input.description))

    @strawberry.mutation(
        description="Staff: replace a product's prices (catalog:write); placed orders keep "
        f"theirs. userErrors codes: PRODUCT_NOT_FOUND, {_PRICE_ERRORS}, CONCURRENT_UPDATE.",
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    async def change_prices(
        self,
        info: Info[CatalogContext, None],
        input: Annotated[ChangePricesInput, strawberry.argument(description="The prices.")],
    ) -> ProductPayload:
        principal = await info.context.auth.require()
        edit = info.context.usecases.edit_products
        return await _done(edit.change_prices(principal.user_id, input.sku, _prices(input.prices)))

    @strawberry.mutation(
        description="Staff: stop selling a product (catalog:write). userErrors codes: "
        "PRODUCT_NOT_FOUND, ALREADY_ARCHIVED, CONCURRENT_UPDATE.",
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    async def archive_product(
        self,
        info: Info[CatalogContext, None],
        input: Annotated[ProductSkuInput, strawberry.argument(description="The product.")],
    ) -> ProductPayload:
        principal = await info.context.auth.require()
        return await _done(
            info.context.usecases.edit_products.archive(principal.user_id, input.sku)
        )

    @strawberry.mutation(
        description="Staff: sell an archived product again (catalog:write). userErrors codes: "
        "PRODUCT_NOT_FOUND, NOT_ARCHIVED, CONCURRENT_UPDATE.",
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    async def restore_product(
        self,
        info: Info[CatalogContext, None],
        input: Annotated[ProductSkuInput, strawberry.argument(description="The product.")],
    ) -> ProductPayload:
        principal = await info.context.auth.require()
        return await _done(
            info.context.usecases.edit_products.restore(principal.user_id, input.sku)
        )

    @strawberry.mutation(
        description="Staff: change the units on hand with a reason (catalog:write); never below "
        "what is reserved. userErrors codes: PRODUCT_NOT_FOUND, INVALID_DELTA, STOCK_BELOW_ZERO, "
        "NOTE_TOO_LONG.",
        extensions=requires_scope(Scope.CATALOG_WRITE),
    )
    async def adjust_stock(
        self,
        info: Info[CatalogContext, None],
        input: Annotated[AdjustStockInput, strawberry.argument(description="The change.")],
    ) -> ProductPayload:
        principal = await info.context.auth.require()
        reason = domain.AdjustmentReason(input.reason.value)  # type: ignore[attr-defined]
        return await _done(
            info.context.usecases.adjust_stock(
                principal.user_id, input.sku, input.delta, reason, input.note
            )
        )
