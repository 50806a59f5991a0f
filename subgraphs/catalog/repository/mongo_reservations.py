"""The `Reservations` port on MongoDB: collection `reservations`, one document per order
(its `_id` the order id, so an order can never hold two)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.catalog.domain.reservation import (
    Item,
    Reservation,
    ReservationStatus,
    Short,
    ShortReason,
)
from subgraphs.catalog.usecase.ports import ConcurrentUpdate
from subgraphs.kernel.stores.mongo import session

Document = dict[str, Any]


class MongoReservations:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._reservations = db["reservations"]

    async def get(self, order_id: str) -> Reservation | None:
        doc = await self._reservations.find_one({"_id": order_id}, session=session())
        return _from_document(doc) if doc is not None else None

    async def add(self, reservation: Reservation) -> None:
        try:
            await self._reservations.insert_one(_to_document(reservation), session=session())
        except DuplicateKeyError:
            raise ConcurrentUpdate(reservation.order_id) from None

    async def save(self, reservation: Reservation) -> None:
        doc = _to_document(reservation)
        del doc["_id"]
        result = await self._reservations.update_one(
            {"_id": reservation.order_id, "version": reservation.version - 1},
            {"$set": doc},
            session=session(),
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate(reservation.order_id)


def _to_document(r: Reservation) -> Document:
    return {
        "_id": r.order_id,
        "user_id": r.user_id,
        "status": r.status.value,
        "items": [{"sku": i.sku, "quantity": i.quantity} for i in r.items],
        "short": [
            {
                "sku": s.sku,
                "requested": s.requested,
                "available": s.available,
                "reason": s.reason.value,
            }
            for s in r.short
        ],
        "restocked": r.restocked,
        "restock_pending": r.restock_pending,
        "restock_actor": r.restock_actor,
        "version": r.version,
        "updated_at": r.updated_at,
    }


def _from_document(doc: Document) -> Reservation:
    return Reservation(
        order_id=doc["_id"],
        user_id=doc.get("user_id"),
        status=ReservationStatus(doc["status"]),
        items=tuple(Item(i["sku"], i["quantity"]) for i in doc["items"]),
        version=doc["version"],
        updated_at=doc["updated_at"],
        short=tuple(
            Short(
                s["sku"],
                s["requested"],
                s["available"],
                ShortReason(s.get("reason", ShortReason.OUT_OF_STOCK.value)),
            )
            for s in doc.get("short", ())
        ),
        restocked=doc.get("restocked", False),
        restock_pending=doc.get("restock_pending", False),
        restock_actor=doc.get("restock_actor"),
    )
