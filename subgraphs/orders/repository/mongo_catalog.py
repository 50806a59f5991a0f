"""The `Catalog` port on MongoDB: collection `products`, orders' copy of the catalog.

Filled from `catalog.product_changed` only; the newest `product_version`
wins: one conditional upsert (replace where the stored version is older; a
duplicate key means one as new or newer is stored, and this one changes
nothing), so no inbox claim is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.orders.domain.catalog import Product, ProductStatus

Document = dict[str, Any]


class MongoCatalog:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._products = db["products"]

    async def apply(self, product: Product) -> bool:
        older = {
            "$or": [
                {"product_version": {"$lt": product.version}},
                {"product_version": {"$exists": False}},  # a row seeded before the catalog
            ]
        }
        try:
            result = await self._products.replace_one(
                {"_id": product.sku, **older}, _to_document(product), upsert=True
            )
        except DuplicateKeyError:
            return False
        return bool(result.matched_count or result.upserted_id is not None)

    async def any(self) -> bool:
        """True once the copy holds a product (readiness: an empty copy cannot price)."""
        return await self._products.find_one({}, projection={"_id": 1}) is not None

    async def products(self, skus: Sequence[str] | None = None) -> list[Product]:
        query = {} if skus is None else {"_id": {"$in": list(skus)}}
        docs = await self._products.find(query).sort("_id").to_list()
        return [_from_document(d) for d in docs]


def _to_document(product: Product) -> Document:
    return {
        "name": product.name,
        "prices": dict(product.prices),
        "status": product.status.value,
        "product_version": product.version,
    }


def _from_document(doc: Document) -> Product:
    return Product(
        doc["_id"],
        doc["name"],
        doc["prices"],
        ProductStatus(doc.get("status", ProductStatus.ACTIVE)),
        doc.get("product_version", 0),
    )
