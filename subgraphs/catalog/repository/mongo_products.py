"""The `Products` port on MongoDB: collections `products` and `stock_movements`.

A product document keeps `available` (on hand - reserved) beside the two, so a reservation
is one conditional update (`available >= quantity`) that can never oversell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.catalog.domain.movement import MovementKind, StockMovement
from subgraphs.catalog.domain.product import Product, ProductStatus
from subgraphs.catalog.domain.reservation import Item
from subgraphs.catalog.usecase.ports import (
    ConcurrentUpdate,
    MovementPage,
    ProductFilter,
    ProductPage,
    SkuTaken,
)
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.stores.keyset import Keyset
from subgraphs.kernel.stores.mongo import session

Document = dict[str, Any]

BY_TIME = Keyset("at")
NEWEST_FIRST = BY_TIME.sort()


class MongoProducts:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._products = db["products"]
        self._movements = db["stock_movements"]

    async def ensure_indexes(self) -> None:
        """Listing by status in sku order; a sku's history newest first."""
        await self._products.create_index(
            [("status", ASCENDING), ("_id", ASCENDING)], name="by_status_sku"
        )
        await self._movements.create_index(
            [("sku", ASCENDING), *NEWEST_FIRST], name="by_sku_newest_first"
        )

    async def add(self, product: Product, movement: StockMovement | None = None) -> None:
        try:
            await self._products.insert_one(_to_document(product), session=session())
        except DuplicateKeyError:
            raise SkuTaken(product.sku) from None
        if movement is not None:
            await self._movements.insert_one(_movement_document(movement), session=session())

    async def get_many(self, skus: Sequence[str]) -> list[Product | None]:
        wanted = list(dict.fromkeys(skus))
        cursor = self._products.find({"_id": {"$in": wanted}}, session=session())
        found = {doc["_id"]: _from_document(doc) async for doc in cursor}
        return [found.get(sku) for sku in skus]

    async def page(self, where: ProductFilter, first: int, after_sku: str | None) -> ProductPage:
        query: Document = {}
        if where.status is not None:
            query["status"] = where.status.value
        if where.query:
            pattern = {"$regex": re.escape(where.query), "$options": "i"}
            if where.sku_too:
                query["$or"] = [{"name": pattern}, {"_id": pattern}]
            else:
                query["name"] = pattern
        if after_sku is not None:
            query = {"$and": [query, {"_id": {"$gt": after_sku}}]}
        docs = await self._products.find(query).sort("_id", ASCENDING).limit(first + 1).to_list()
        return ProductPage([_from_document(d) for d in docs[:first]], has_next=len(docs) > first)

    async def save(self, product: Product) -> None:
        result = await self._products.update_one(
            {"_id": product.sku, "version": product.version - 1},
            {
                "$set": {
                    "name": product.name,
                    "description": product.description,
                    "prices": dict(product.prices),
                    "status": product.status.value,
                    "version": product.version,
                    "updated_at": product.updated_at,
                }
            },
            session=session(),
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate(product.sku)

    async def change_on_hand(self, sku: str, delta: int, at: datetime) -> Product | None:
        doc = await self._products.find_one_and_update(
            {"_id": sku, "available": {"$gte": -delta}},
            {
                "$inc": {"on_hand": delta, "available": delta, "stock_version": 1},
                "$set": {"stock_updated_at": at},
            },
            return_document=ReturnDocument.AFTER,
            session=session(),
        )
        return _from_document(doc) if doc is not None else None

    async def add_movement(self, movement: StockMovement) -> None:
        await self._movements.insert_one(_movement_document(movement), session=session())

    async def hold(self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId) -> bool:
        for item in items:
            after = await self._products.find_one_and_update(
                {
                    "_id": item.sku,
                    "status": ProductStatus.ACTIVE.value,
                    "available": {"$gte": item.quantity},
                },
                {
                    "$inc": {
                        "reserved": item.quantity,
                        "available": -item.quantity,
                        "stock_version": 1,
                    },
                    "$set": {"stock_updated_at": at},
                },
                return_document=ReturnDocument.AFTER,
                session=session(),
            )
            if after is None:
                return False
            await self._record(
                new_id, item, order_id, at, MovementKind.RESERVED, 0, item.quantity, after
            )
        return True

    async def take(self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId) -> None:
        await self._move(
            items, order_id, at, new_id, MovementKind.COMMITTED, on_hand=-1, reserved=-1
        )

    async def unhold(
        self, items: Sequence[Item], order_id: str, at: datetime, new_id: NewId
    ) -> None:
        await self._move(items, order_id, at, new_id, MovementKind.RELEASED, on_hand=0, reserved=-1)

    async def _move(
        self,
        items: Sequence[Item],
        order_id: str,
        at: datetime,
        new_id: NewId,
        kind: MovementKind,
        *,
        on_hand: int,
        reserved: int,
    ) -> None:
        for item in items:
            q = item.quantity
            after = await self._products.find_one_and_update(
                {"_id": item.sku, "reserved": {"$gte": q}},
                {
                    "$inc": {
                        "on_hand": on_hand * q,
                        "reserved": reserved * q,
                        "available": (on_hand - reserved) * q,
                        "stock_version": 1,
                    },
                    "$set": {"stock_updated_at": at},
                },
                return_document=ReturnDocument.AFTER,
                session=session(),
            )
            if after is None:  # the invariant says it cannot be: abort the unit of work
                raise RuntimeError(f"{item.sku}: fewer than {q} reserved for order {order_id}")
            await self._record(new_id, item, order_id, at, kind, on_hand * q, reserved * q, after)

    async def _record(
        self,
        new_id: NewId,
        item: Item,
        order_id: str,
        at: datetime,
        kind: MovementKind,
        on_hand_delta: int,
        reserved_delta: int,
        after: Document,
    ) -> None:
        movement = StockMovement(
            id=new_id(),
            sku=item.sku,
            at=at,
            kind=kind,
            on_hand_delta=on_hand_delta,
            reserved_delta=reserved_delta,
            on_hand=after["on_hand"],
            reserved=after["reserved"],
            order_id=order_id,
        )
        await self._movements.insert_one(_movement_document(movement), session=session())

    async def history(
        self, sku: str, first: int, after: tuple[datetime, str] | None
    ) -> MovementPage:
        query: Document = {"sku": sku}
        if after is not None:
            query = BY_TIME.after(query, after[0], after[1])
        docs = await self._movements.find(query).sort(NEWEST_FIRST).limit(first + 1).to_list()
        return MovementPage([_movement(d) for d in docs[:first]], has_next=len(docs) > first)


def _to_document(product: Product) -> Document:
    return {
        "_id": product.sku,
        "name": product.name,
        "description": product.description,
        "prices": dict(product.prices),
        "status": product.status.value,
        "on_hand": product.on_hand,
        "reserved": product.reserved,
        "available": product.available,
        "version": product.version,
        "stock_version": product.stock_version,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


def _from_document(doc: Document) -> Product:
    updated_at = doc["updated_at"]
    return Product(
        sku=doc["_id"],
        name=doc["name"],
        description=doc.get("description", ""),
        prices={c: Decimal(a) for c, a in doc["prices"].items()},
        status=ProductStatus(doc["status"]),
        on_hand=doc["on_hand"],
        reserved=doc["reserved"],
        version=doc["version"],
        stock_version=doc["stock_version"],
        created_at=doc["created_at"],
        updated_at=max(updated_at, doc.get("stock_updated_at", updated_at)),
    )


def _movement_document(m: StockMovement) -> Document:
    return {
        "_id": m.id,
        "sku": m.sku,
        "at": m.at,
        "kind": m.kind.value,
        "on_hand_delta": m.on_hand_delta,
        "reserved_delta": m.reserved_delta,
        "on_hand": m.on_hand,
        "reserved": m.reserved,
        "note": m.note,
        "order_id": m.order_id,
        "actor_id": m.actor_id,
    }


def _movement(doc: Document) -> StockMovement:
    return StockMovement(
        id=doc["_id"],
        sku=doc["sku"],
        at=doc["at"],
        kind=MovementKind(doc["kind"]),
        on_hand_delta=doc["on_hand_delta"],
        reserved_delta=doc["reserved_delta"],
        on_hand=doc["on_hand"],
        reserved=doc["reserved"],
        note=doc.get("note"),
        order_id=doc.get("order_id"),
        actor_id=doc.get("actor_id"),
    )
