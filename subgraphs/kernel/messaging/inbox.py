"""Consumer-side idempotency in MongoDB: an event id is processed at most once.

Call `Inbox.claim(event_id, session)` inside the transaction that applies
the event: a second delivery finds the id taken and the handler skips it,
and an aborted transaction leaves the id free for the retry. Of two concurrent
deliveries one commits; the other either gets a write conflict (its
transaction is retried and then skips) or a duplicate-key error (its handler
fails, and the consumer's redelivery later skips it).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.core.clock import Clock, utc_now


class Inbox:
    # Longer than any redelivery: streams keep ~100,000 entries and consumers
    # retry for minutes, so an id older than this cannot come back.
    RETENTION = timedelta(days=30)

    def __init__(self, db: AsyncDatabase[dict[str, Any]], *, clock: Clock = utc_now) -> None:
        self.collection = db["processed_events"]
        self._clock = clock

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            "processed_at",
            expireAfterSeconds=int(self.RETENTION.total_seconds()),
            name="forget_after_retention",
        )

    async def seen(self, event_id: str) -> bool:
        """True if `event_id` was claimed (outside any transaction)."""
        return await self.collection.find_one({"_id": event_id}, projection=[]) is not None

    async def claim_first(self, event_id: str, session: AsyncClientSession) -> None:
        """Claim `event_id` as the transaction's first write, in one round trip.

        A duplicate raises `DuplicateKeyError`, which aborts the transaction:
        harmless when nothing else was written in it yet, so the caller ends
        it and skips the event (`MongoUnitOfWork` does).
        """
        await self.collection.insert_one(
            {"_id": event_id, "processed_at": self._clock()}, session=session
        )

    async def claim(self, event_id: str, session: AsyncClientSession) -> bool:
        """True the first time `event_id` is claimed; False if it was processed before."""
        # Look first: a duplicate-key error would abort the caller's transaction.
        if await self.collection.find_one({"_id": event_id}, session=session) is not None:
            return False
        await self.collection.insert_one(
            {"_id": event_id, "processed_at": self._clock()}, session=session
        )
        return True
