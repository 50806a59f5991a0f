"""The `OrderViews` port on MongoDB: collection `orders_view` (applied once per event by the
unit of work's inbox claim)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.money import Money
from subgraphs.kernel.mongo import session
from subgraphs.payments.domain.order_view import OrderState, OrderView

Document = dict[str, Any]


class MongoOrderViews:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._views = db["orders_view"]

    async def get(self, order_id: str) -> OrderView | None:
        doc = await self._views.find_one({"_id": order_id}, session=session())
        return _from_document(doc) if doc else None

    async def apply(self, view: OrderView) -> None:
        if view.supersedes(await self.get(view.order_id)):
            await self._views.replace_one(
                {"_id": view.order_id}, _to_document(view), upsert=True, session=session()
            )


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
