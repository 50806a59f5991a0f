"""Consumer-side idempotency in MongoDB: an event id is processed at most once.

Call `Inbox.claim(event_id, session)` inside the transaction that applies
the event: a second delivery finds the id taken and the handler skips it,
and an aborted transaction leaves the id free for the retry. Two concurrent
deliveries conflict on the insert; the transaction retries and then skips.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase


class Inbox:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db["processed_events"]

    async def claim(self, event_id: str, session: AsyncClientSession) -> bool:
        """True the first time `event_id` is claimed; False if it was processed before."""
        # Look first: a duplicate-key error would abort the caller's transaction.
        if await self.collection.find_one({"_id": event_id}, session=session) is not None:
            return False
        await self.collection.insert_one(
            {"_id": event_id, "processed_at": datetime.now(UTC)}, session=session
        )
        return True
