"""The `OrderRepository` port on MongoDB: collection `orders`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.kernel.core.money import Money
from subgraphs.kernel.stores.keyset import Keyset
from subgraphs.kernel.stores.mongo import session
from subgraphs.orders.domain.order import (
    PAYABLE,
    Actor,
    ActorKind,
    Order,
    OrderItem,
    OrderStatus,
    TimelineEntry,
)
from subgraphs.orders.usecase.ports import (
    ConcurrentUpdate,
    IdempotencyKeyTaken,
    OrderFilter,
    Page,
)

Document = dict[str, Any]

BY_CREATION = Keyset("created_at")
NEWEST_FIRST = BY_CREATION.sort()


class MongoOrderRepository:
    """Orders keyed by id, versioned, each with its status timeline; writes join the unit of
    work's transaction (`session()`)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._orders = db["orders"]

    async def ensure_indexes(self) -> None:
        """One index per way a page is filtered, each ending in the page order (no sort in
        memory): by customer (also their own list), by status, by creation time alone (no
        filter, or a time range only). An order id is the `_id` index; a customer's
        idempotency key is unique among their orders (those placed with one)."""
        await self._orders.create_index(
            [("user_id", ASCENDING), *NEWEST_FIRST], name="by_user_newest_first"
        )
        await self._orders.create_index(
            [("status", ASCENDING), *NEWEST_FIRST], name="by_status_newest_first"
        )
        await self._orders.create_index(NEWEST_FIRST, name="newest_first")
        await self._orders.create_index(
            [("status", ASCENDING), ("expires_at", ASCENDING)], name="by_status_deadline"
        )
        await self._orders.create_index(
            [("user_id", ASCENDING), ("idempotency_key", ASCENDING)],
            unique=True,
            partialFilterExpression={"idempotency_key": {"$exists": True}},
            name="user_key_unique",
        )

    async def add(self, order: Order) -> None:
        try:
            await self._orders.insert_one(_to_document(order), session=session())
        except DuplicateKeyError as exc:
            # Its id is new: the other unique index, the customer's key, refused it.
            if order.idempotency_key is not None:
                raise IdempotencyKeyTaken(order.idempotency_key) from exc
            raise

    async def by_idempotency_key(self, user_id: str, key: str) -> Order | None:
        doc = await self._orders.find_one({"user_id": user_id, "idempotency_key": key})
        return _from_document(doc) if doc is not None else None

    async def get_many(self, ids: Sequence[str]) -> list[Order | None]:
        wanted = list(dict.fromkeys(ids))
        cursor = self._orders.find({"_id": {"$in": wanted}})
        found = {doc["_id"]: _from_document(doc) async for doc in cursor}
        return [found.get(order_id) for order_id in ids]

    async def page(self, where: OrderFilter, first: int, after: Order | None) -> Page:
        query = _query(where)
        if after is not None:
            query = BY_CREATION.after(query, after.created_at, after.id)
        docs = await self._orders.find(query).sort(NEWEST_FIRST).limit(first + 1).to_list()
        return Page([_from_document(d) for d in docs[:first]], has_next=len(docs) > first)

    async def expired(self, now: datetime, limit: int) -> list[Order]:
        # `Order.expired` as a query on `by_status_deadline` (no deadline: never due).
        query = {"status": {"$in": [s.value for s in PAYABLE]}, "expires_at": {"$lte": now}}
        docs = await self._orders.find(query).sort("expires_at", ASCENDING).limit(limit).to_list()
        return [_from_document(d) for d in docs]

    async def give_deadlines(self, ttl: timedelta) -> int:
        # One update on the server (`by_status_deadline` finds them: a missing field is null);
        # `save` never writes `expires_at`, so a racing status change loses nothing.
        result = await self._orders.update_many(
            {"status": {"$in": [s.value for s in PAYABLE]}, "expires_at": None},
            [{"$set": {"expires_at": {"$add": ["$created_at", ttl // timedelta(milliseconds=1)]}}}],
        )
        return result.modified_count

    async def save(self, order: Order) -> None:
        result = await self._orders.update_one(
            {"_id": order.id, "version": order.version - 1},
            {
                "$set": {
                    "status": order.status.value,
                    "version": order.version,
                    "updated_at": order.updated_at,
                    "stock_reserved": order.stock_reserved,
                    # The whole timeline, in the same conditional write as the status: an
                    # order stored before timelines gets its derived history with the change.
                    "timeline": [_entry_document(e) for e in order.timeline],
                }
            },
            session=session(),
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate(order.id)


def _query(where: OrderFilter) -> Document:
    query: Document = {}
    if where.order_id is not None:
        query["_id"] = where.order_id
    if where.user_id is not None:
        query["user_id"] = where.user_id
    if where.status is not None:
        query["status"] = where.status.value
    created: Document = {}
    if where.created_from is not None:
        created["$gte"] = where.created_from
    if where.created_before is not None:
        created["$lt"] = where.created_before
    if created:
        query["created_at"] = created
    return query


def _to_document(order: Order) -> Document:
    doc: Document = {
        "_id": order.id,
        "user_id": order.user_id,
        "items": [
            {
                "sku": i.sku,
                "name": i.name,
                "quantity": i.quantity,
                "unit_price": i.unit_price.amount,
            }
            for i in order.items
        ],
        "currency": order.currency,
        "status": order.status.value,
        "version": order.version,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "timeline": [_entry_document(e) for e in order.timeline],
        "stock_reserved": order.stock_reserved,
        "expires_at": order.expires_at,
    }
    if order.idempotency_key is not None:  # absent, not null: the unique index skips it
        doc["idempotency_key"] = order.idempotency_key
    return doc


def _entry_document(entry: TimelineEntry) -> Document:
    return {
        "status": entry.status.value,
        "at": entry.at,
        "actor_kind": entry.actor.kind.value,
        "actor_id": entry.actor.id,
        "reason": entry.reason,
    }


def _entry(doc: Document) -> TimelineEntry:
    actor = Actor(ActorKind(doc["actor_kind"]), doc.get("actor_id"))
    return TimelineEntry(OrderStatus(doc["status"]), doc["at"], actor, doc.get("reason"))


def _from_document(doc: Document) -> Order:
    currency = doc["currency"]
    return Order(
        id=doc["_id"],
        user_id=doc["user_id"],
        items=tuple(
            OrderItem(i["sku"], i["name"], i["quantity"], Money(i["unit_price"], currency))
            for i in doc["items"]
        ),
        currency=currency,
        status=OrderStatus(doc["status"]),
        version=doc["version"],
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        timeline=tuple(_entry(e) for e in doc.get("timeline", ())),
        stock_reserved=doc.get("stock_reserved", False),
        expires_at=doc.get("expires_at"),
        idempotency_key=doc.get("idempotency_key"),
    )
