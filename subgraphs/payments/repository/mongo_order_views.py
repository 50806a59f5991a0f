"""The `OrderViews` port on MongoDB: collection `orders_view`, newest order version wins.

Applying a view is idempotent by the order's version, so the projection
needs no inbox claim: outside a transaction it is one conditional upsert
(set where the stored version is older or missing; a duplicate key means a
view as new or newer is stored, and this one changes nothing).

`stock_reserved` comes from the catalog's `stock.reserved`, on another stream:
it may arrive before the order's first event, so it is its own field (an
upsert of `{_id, stock_reserved}` alone until the order is known), never
overwritten by an orders event.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.kernel.core.money import Money
from subgraphs.kernel.stores.mongo import session
from subgraphs.payments.domain.order_view import OrderState, OrderView

Document = dict[str, Any]


class MongoOrderViews:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._views = db["orders_view"]

    async def get(self, order_id: str) -> OrderView | None:
        doc = await self._views.find_one({"_id": order_id}, session=session())
        # Only `stock_reserved` known yet: no orders event of it arrived, so no order.
        return _from_document(doc) if doc and "version" in doc else None

    async def apply(self, view: OrderView) -> None:
        current = session()
        if current is not None:  # in a transaction: a duplicate key would abort it, so look first
            if view.supersedes(await self.get(view.order_id)):
                await self._views.update_one(
                    {"_id": view.order_id}, {"$set": _fields(view)}, upsert=True, session=current
                )
            return
        older = {"$or": [{"version": {"$lt": view.version}}, {"version": {"$exists": False}}]}
        # A duplicate key: a view as new or newer is stored, and this one changes nothing.
        with contextlib.suppress(DuplicateKeyError):
            await self._views.update_one(
                {"_id": view.order_id, **older}, {"$set": _fields(view)}, upsert=True
            )

    async def mark_reserved(self, order_id: str) -> None:
        await self._views.update_one(
            {"_id": order_id}, {"$set": {"stock_reserved": True}}, upsert=True, session=session()
        )


def _fields(view: OrderView) -> Document:
    """What an orders event says of the order (everything but `stock_reserved`)."""
    return {
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
        stock_reserved=doc.get("stock_reserved", False),
    )
