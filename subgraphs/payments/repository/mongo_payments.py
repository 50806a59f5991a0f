"""The `PaymentRepository` port on MongoDB: collection `payments`.

The unique indexes are what makes payments idempotent under concurrency:
`user_key_unique` lets exactly one of many identical requests insert its
payment, `order_holder_unique` (partial: payments in flight, succeeded or
refunded) lets at most one payment of an order be charged, and
`refund_key_unique` keeps a refund key to one payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.money import Money
from subgraphs.kernel.observability import gauges
from subgraphs.kernel.stores.mongo import session
from subgraphs.payments.domain.payment import (
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from subgraphs.payments.usecase.ports import IdempotencyKeyTaken, OrderAlreadyHeld

Document = dict[str, Any]

PROCESSING = PaymentStatus.PROCESSING.value


class MongoPayments:
    """Payments keyed by id, revised; writes join the unit of work's transaction (`session()`)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._payments = db["payments"]
        self._gauges: StalePayments | None = None

    def report_stale(self, after_seconds: float, clock: Clock) -> None:
        """Report `payments_in_progress_stale` at /metrics (this repository keeps the collector)."""
        self._gauges = gauges.register(StalePayments(self, after_seconds, clock))

    async def ensure_indexes(self) -> None:
        p = self._payments
        await p.create_index(
            [("user_id", ASCENDING), ("idempotency_key", ASCENDING)],
            unique=True,
            name="user_key_unique",
        )
        await p.create_index(
            [("order_id", ASCENDING)],
            unique=True,
            partialFilterExpression={"holds_order": True},
            name="order_holder_unique",
        )
        await p.create_index(
            [("user_id", ASCENDING), ("refund.idempotency_key", ASCENDING)],
            unique=True,
            partialFilterExpression={"refund.idempotency_key": {"$exists": True}},
            name="refund_key_unique",
        )
        await p.create_index(
            [("order_id", ASCENDING), ("created_at", DESCENDING)], name="by_order_newest_first"
        )
        await p.create_index(
            [("status", ASCENDING), ("lease_until", ASCENDING)], name="charges_by_lease"
        )
        await p.create_index(
            [("refund.status", ASCENDING), ("refund.lease_until", ASCENDING)],
            name="refunds_by_lease",
        )
        await p.create_index(
            [("provider_intent", ASCENDING)],
            partialFilterExpression={"provider_intent": {"$exists": True}},
            name="by_provider_intent",
        )
        await p.create_index([("status", ASCENDING), ("created_at", ASCENDING)], name="by_age")

    async def add(self, payment: Payment) -> None:
        try:
            await self._payments.insert_one(_to_document(payment))
        except DuplicateKeyError as exc:
            raise _conflict(exc) from exc

    async def get_many(self, ids: Sequence[str]) -> list[Payment | None]:
        cursor = self._payments.find({"_id": {"$in": list(dict.fromkeys(ids))}})
        found = {doc["_id"]: _from_document(doc) async for doc in cursor}
        return [found.get(i) for i in ids]

    async def by_idempotency_key(self, user_id: str, key: str) -> Payment | None:
        doc = await self._payments.find_one({"user_id": user_id, "idempotency_key": key})
        return _from_document(doc) if doc else None

    async def holding(self, order_id: str) -> Payment | None:
        doc = await self._payments.find_one({"order_id": order_id, "holds_order": True})
        return _from_document(doc) if doc else None

    async def for_orders(self, order_ids: Sequence[str]) -> list[list[Payment]]:
        wanted = list(dict.fromkeys(order_ids))
        cursor = self._payments.find({"order_id": {"$in": wanted}}).sort(
            [("order_id", ASCENDING), ("created_at", DESCENDING)]
        )
        by_order: dict[str, list[Payment]] = {}
        async for doc in cursor:
            by_order.setdefault(doc["order_id"], []).append(_from_document(doc))
        return [by_order.get(order_id, []) for order_id in order_ids]

    async def save(self, payment: Payment) -> bool:
        try:
            result = await self._payments.replace_one(
                {"_id": payment.id, "revision": payment.revision - 1},
                _to_document(payment),
                session=session(),
            )
        except DuplicateKeyError as exc:
            raise _conflict(exc) from exc
        return result.matched_count > 0  # none: changed meanwhile, nothing written

    async def in_flight(self, lapsed_before: datetime, limit: int) -> list[Payment]:
        charges = self._payments.find(
            {"status": PROCESSING, "lease_until": {"$lte": lapsed_before}}
        ).limit(limit)
        refunds = self._payments.find(
            {
                "refund.status": RefundStatus.PROCESSING.value,
                "refund.lease_until": {"$lte": lapsed_before},
            }
        ).limit(limit)
        return [_from_document(d) for d in [*await charges.to_list(), *await refunds.to_list()]]

    async def by_provider_intent(self, intent: str) -> Payment | None:
        doc = await self._payments.find_one({"provider_intent": intent})
        return _from_document(doc) if doc else None

    async def in_progress_since(self, before: datetime) -> int:
        """How many payments are PROCESSING since before `before` (the stale-payments gauge)."""
        return await self._payments.count_documents(
            {"status": PROCESSING, "created_at": {"$lt": before}}
        )


class StalePayments:
    """Payments PROCESSING for longer than `after_seconds`: ones reconciliation has not
    resolved (the provider is unreachable or undecided). The same value on every replica."""

    name = "stale-payments"

    def __init__(self, payments: MongoPayments, after_seconds: float, clock: Clock) -> None:
        self._payments = payments
        self._after = timedelta(seconds=after_seconds)
        self._clock = clock

    async def collect(self) -> list[gauges.Sample]:
        count = await self._payments.in_progress_since(self._clock() - self._after)
        return [
            gauges.Sample(
                "payments_in_progress_stale",
                "gauge",
                "Payments still PROCESSING after PAYMENTS_STALE_AFTER_SECONDS (default 10 min).",
                {},
                count,
            )
        ]


def _conflict(exc: DuplicateKeyError) -> Exception:
    pattern = (exc.details or {}).get("keyPattern") or {}
    fields = set(pattern) or {"order_id" if "order_holder_unique" in str(exc) else "key"}
    if "order_id" in fields:
        return OrderAlreadyHeld()
    return IdempotencyKeyTaken()


def _to_document(p: Payment) -> Document:
    doc: Document = {
        "_id": p.id,
        "user_id": p.user_id,
        "order_id": p.order_id,
        "idempotency_key": p.idempotency_key,
        "payment_method": p.payment_method,
        "amount": p.amount.amount,
        "currency": p.amount.currency,
        "status": p.status.value,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "revision": p.revision,
        "transactions": [
            {
                "id": t.id,
                "kind": t.kind.value,
                "amount": t.amount.amount,
                "status": t.status.value,
                "created_at": t.created_at,
                "provider_reference": t.provider_reference,
                "failure_reason": t.failure_reason,
            }
            for t in p.transactions
        ],
    }
    # Absent rather than null: the partial indexes look at these fields' existence.
    if p.holds_order:
        doc["holds_order"] = True
    if p.lease_until is not None:
        doc["lease_until"] = p.lease_until
    if p.failure_reason is not None:
        doc["failure_reason"] = p.failure_reason
    if p.provider_intent is not None:
        doc["provider_intent"] = p.provider_intent
    if p.refund is not None:
        r = p.refund
        doc["refund"] = {
            "id": r.id,
            "idempotency_key": r.idempotency_key,
            "status": r.status.value,
            "requested_at": r.requested_at,
            "lease_until": r.lease_until,
            "failure_reason": r.failure_reason,
        }
        if r.actor_id is not None:
            doc["refund"]["actor_id"] = r.actor_id
        if r.reason is not None:
            doc["refund"]["reason"] = r.reason
        if r.restock:
            doc["refund"]["restock"] = True
    return doc


def _from_document(doc: Document) -> Payment:
    currency = doc["currency"]
    refund = doc.get("refund")
    return Payment(
        id=doc["_id"],
        user_id=doc["user_id"],
        order_id=doc["order_id"],
        idempotency_key=doc["idempotency_key"],
        payment_method=doc["payment_method"],
        amount=Money(doc["amount"], currency),
        status=PaymentStatus(doc["status"]),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        revision=doc["revision"],
        lease_until=doc.get("lease_until"),
        failure_reason=doc.get("failure_reason"),
        provider_intent=doc.get("provider_intent"),
        transactions=tuple(
            Transaction(
                id=t["id"],
                kind=TransactionKind(t["kind"]),
                amount=Money(t["amount"], currency),
                status=TransactionStatus(t["status"]),
                created_at=t["created_at"],
                provider_reference=t.get("provider_reference"),
                failure_reason=t.get("failure_reason"),
            )
            for t in doc.get("transactions", [])
        ),
        refund=Refund(
            id=refund["id"],
            idempotency_key=refund["idempotency_key"],
            status=RefundStatus(refund["status"]),
            requested_at=refund["requested_at"],
            lease_until=refund.get("lease_until"),
            failure_reason=refund.get("failure_reason"),
            actor_id=refund.get("actor_id"),
            reason=refund.get("reason"),
            restock=refund.get("restock", False),
        )
        if refund
        else None,
    )
