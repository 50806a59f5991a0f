"""The `OrderViews` port on MongoDB: collection `orders_view`, newest order version wins.

Applying a view is idempotent by the order's version, so the projection
needs no inbox claim: outside a transaction it is one conditional upsert
(replace where the stored version is older; a duplicate key means a view as
new or newer is stored, and this one changes nothing).
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
        return _from_document(doc) if doc else None

    async def apply(self, view: OrderView) -> None:
        current = session()
        if current is not None:  # in a transaction: a duplicate key would abort it, so look first
            if view.supersedes(await self.get(view.order_id)):
                await self._views.replace_one(
                    {"_id": view.order_id}, _to_document(view), upsert=True, session=current
                )
            return
        # A duplicate key: a view as new or newer is stored, and this one changes nothing.
        with contextlib.suppress(DuplicateKeyError):
            await self._views.replace_one(
                {"_id": view.order_id, "version": {"$lt": view.version}},
                _to_document(view),
                upsert=True,
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
