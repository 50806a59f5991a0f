"""The `RefundRequestRepository` port on MongoDB: collection `refund_requests`.

`open_per_payment_unique` (unique `payment_id`, partial: OPEN requests) lets
a payment have at most one OPEN request, however many ask at once, and
finds it (`open_for`);
`newest_first` and `by_status_newest_first` serve the staff list (read
backwards for the oldest first), and
`by_order_newest_first` an order's latest request.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.kernel.stores.keyset import Keyset
from subgraphs.kernel.stores.mongo import session
from subgraphs.payments.domain.refund_request import RefundRequest, RefundRequestStatus
from subgraphs.payments.usecase.ports import RefundAlreadyRequested, RequestCursor, RequestPage

Document = dict[str, Any]

OPEN = RefundRequestStatus.OPEN.value
BY_REQUEST = Keyset("requested_at")
NEWEST_FIRST = BY_REQUEST.sort()


class MongoRefundRequests:
    """Refund requests keyed by id, revised; writes join the unit of work's transaction."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._requests = db["refund_requests"]

    async def ensure_indexes(self) -> None:
        r = self._requests
        await r.create_index(
            [("payment_id", ASCENDING)],
            unique=True,
            partialFilterExpression={"status": OPEN},
            name="open_per_payment_unique",
        )
        await r.create_index(NEWEST_FIRST, name="newest_first")
        await r.create_index([("status", ASCENDING), *NEWEST_FIRST], name="by_status_newest_first")
        await r.create_index(
            [("order_id", ASCENDING), ("requested_at", DESCENDING)], name="by_order_newest_first"
        )

    async def add(self, request: RefundRequest) -> None:
        try:
            await self._requests.insert_one(_to_document(request), session=session())
        except DuplicateKeyError as exc:
            raise RefundAlreadyRequested() from exc

    async def get(self, request_id: str) -> RefundRequest | None:
        doc = await self._requests.find_one({"_id": request_id})
        return _from_document(doc) if doc else None

    async def open_for(self, payment_id: str) -> RefundRequest | None:
        doc = await self._requests.find_one({"payment_id": payment_id, "status": OPEN})
        return _from_document(doc) if doc else None

    async def save(self, request: RefundRequest) -> bool:
        result = await self._requests.replace_one(
            {"_id": request.id, "revision": request.revision - 1},
            _to_document(request),
            session=session(),
        )
        return result.matched_count > 0

    async def latest_for_orders(self, order_ids: Sequence[str]) -> list[RefundRequest | None]:
        wanted = list(dict.fromkeys(order_ids))
        cursor = self._requests.find({"order_id": {"$in": wanted}}).sort(
            [("order_id", ASCENDING), ("requested_at", DESCENDING)]
        )
        latest: dict[str, RefundRequest] = {}
        async for doc in cursor:
            latest.setdefault(doc["order_id"], _from_document(doc))
        return [latest.get(order_id) for order_id in order_ids]

    async def page(
        self,
        status: RefundRequestStatus | None,
        size: int,
        after: RequestCursor | None,
        *,
        oldest_first: bool = False,
    ) -> RequestPage:
        query: Document = {} if status is None else {"status": status.value}
        if after is not None:
            at = datetime.fromtimestamp(after.requested_ms / 1000, UTC)
            query = BY_REQUEST.after(query, at, after.request_id, oldest_first=oldest_first)
        # The newest-first indexes serve both orders (read backwards for the oldest first).
        order = BY_REQUEST.sort(oldest_first=oldest_first)
        docs = await self._requests.find(query).sort(order).limit(size + 1).to_list()
        return RequestPage([_from_document(d) for d in docs[:size]], has_next=len(docs) > size)


def _to_document(r: RefundRequest) -> Document:
    return {
        "_id": r.id,
        "payment_id": r.payment_id,
        "order_id": r.order_id,
        "user_id": r.user_id,
        "reason": r.reason,
        "status": r.status.value,
        "requested_at": r.requested_at,
        "updated_at": r.updated_at,
        "revision": r.revision,
        "approving_by": r.approving_by,
        "decided_at": r.decided_at,
        "decided_by": r.decided_by,
        "decision_reason": r.decision_reason,
    }


def _from_document(doc: Document) -> RefundRequest:
    return RefundRequest(
        id=doc["_id"],
        payment_id=doc["payment_id"],
        order_id=doc["order_id"],
        user_id=doc["user_id"],
        reason=doc["reason"],
        status=RefundRequestStatus(doc["status"]),
        requested_at=doc["requested_at"],
        updated_at=doc["updated_at"],
        revision=doc["revision"],
        approving_by=doc.get("approving_by"),
        decided_at=doc.get("decided_at"),
        decided_by=doc.get("decided_by"),
        decision_reason=doc.get("decision_reason"),
    )
