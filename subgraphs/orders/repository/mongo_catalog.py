"""The `Catalog` port on MongoDB: collection `products`, seeded on first start."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.orders.domain.catalog import Product

Document = dict[str, Any]


class MongoCatalog:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._products = db["products"]

    async def seed(self, products: Iterable[Product]) -> None:
        """Insert products that are missing; existing ones (maybe edited) are left alone."""
        await self._products.bulk_write(
            [
                UpdateOne(
                    {"_id": p.sku},
                    {"$setOnInsert": {"name": p.name, "prices": dict(p.prices)}},
                    upsert=True,
                )
                for p in products
            ]
        )

    async def products(self, skus: Sequence[str] | None = None) -> list[Product]:
        query = {} if skus is None else {"_id": {"$in": list(skus)}}
        docs = await self._products.find(query).sort("_id").to_list()
        return [Product(d["_id"], d["name"], d["prices"]) for d in docs]
