"""The `OrderViews` port on MongoDB: collection `orders_view`, applied once per event (inbox)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.inbox import Inbox
from subgraphs.kernel.money import Money
from subgraphs.kernel.mongo import in_transaction
from subgraphs.payments.domain.order_view import OrderState, OrderView

Document = dict[str, Any]


class MongoOrderViews:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._views = db["orders_view"]
        self._inbox = Inbox(db)

    async def ensure_indexes(self) -> None:
        await self._inbox.ensure_indexes()

    async def get(self, order_id: str) -> OrderView | None:
        doc = await self._views.find_one({"_id": order_id})
        return _from_document(doc) if doc else None

    async def apply(self, view: OrderView, event_id: str) -> bool:
        async def work(session: AsyncClientSession) -> bool:
            if not await self._inbox.claim(event_id, session):
                return False
            doc = await self._views.find_one({"_id": view.order_id}, session=session)
            stored = _from_document(doc) if doc else None
            if view.supersedes(stored):
                await self._views.replace_one(
                    {"_id": view.order_id}, _to_document(view), upsert=True, session=session
                )
            return True

        return await in_transaction(self._db.client, work)


def _to_document(view: OrderView) -> Document:
    return {
        "_id": view.order_id,
        "user_id": view.user_id,
        "total": view.total.amount,
        "currency": view.total.currency,
        "status": view.status.value,
        "version": view.version,
        "updated_at": view.updated_at,
    }


def _from_document(doc: Document) -> OrderView:
    return OrderView(
        order_id=doc["_id"],
        user_id=doc["user_id"],
        total=Money(doc["total"], doc["currency"]),
        status=OrderState(doc["status"]),
        version=doc["version"],
        updated_at=doc["updated_at"],
    )
