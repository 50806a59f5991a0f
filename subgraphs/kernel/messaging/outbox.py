"""The transactional outbox: events are saved with the state change, then relayed.

The unit of work (`subgraphs.kernel.stores.mongo.MongoUnitOfWork`) inserts a
change's events into the `outbox` collection of its own database in the
same transaction as the change (`Outbox.add`). The
`OutboxRelay` publishes pending events to the producer's stream, then marks
them published (one write per batch; kept `keep_published` as the record
of what was emitted, then deleted). A relay that dies between the two
publishes again on its next pass (consumers are idempotent on the event
id); nothing is lost.

Several relays may run: a lease in the `leases` collection
(`subgraphs.kernel.process.lease`) lets one publish at a time, so in the
normal case no event is published twice and events keep their order (by
`occurred_at`, then `sequence`, e.g. the aggregate version). The holder
renews its lease once half of it has passed, not on every pass (a pass every
`poll_seconds` would otherwise write five times a second per producer while
idle). Stream length is capped with an approximate MAXLEN (retention).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError
from redis.exceptions import RedisError

from subgraphs.kernel.core.clock import Clock, utc_now
from subgraphs.kernel.core.events import Event, stream_of
from subgraphs.kernel.observability import gauges, telemetry
from subgraphs.kernel.process.background import BackgroundTask, pause
from subgraphs.kernel.process.lease import MongoLease
from subgraphs.kernel.process.settings import StreamSettings

log = logging.getLogger(__name__)

Document = dict[str, Any]


class Outbox:
    """Writes events into the `outbox` collection inside the caller's transaction."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["outbox"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("published", ASCENDING), ("occurred_at", ASCENDING), ("sequence", ASCENDING)],
            name="pending_in_order",
        )

    async def add(
        self, events: Sequence[Event], session: AsyncClientSession, *, sequence: int = 0
    ) -> None:
        await self.add_in_order([(e, sequence) for e in events], session)

    async def add_in_order(
        self, entries: Sequence[tuple[Event, int]], session: AsyncClientSession
    ) -> None:
        """Insert (event, sequence) pairs; `sequence` orders events of the same instant."""
        if entries:
            # The span writing the events is their consumers' parent (tracing on only).
            traceparent = telemetry.current_traceparent()
            docs = [_to_document(e, sequence, traceparent) for e, sequence in entries]
            await self.collection.insert_many(docs, session=session)


def _to_document(event: Event, sequence: int, traceparent: str | None = None) -> Document:
    return {
        "_id": event.id,
        "type": event.type,
        "version": event.version,
        "occurred_at": event.occurred_at,
        "producer": event.producer,
        "correlation_id": event.correlation_id,
        "payload": dict(event.payload),
        "traceparent": event.traceparent or traceparent,
        "sequence": sequence,
        "published": False,
    }


def _from_document(doc: Document) -> Event:
    return Event(
        id=doc["_id"],
        type=doc["type"],
        version=doc["version"],
        occurred_at=doc["occurred_at"],
        producer=doc["producer"],
        correlation_id=doc.get("correlation_id"),
        payload=doc["payload"],
        traceparent=doc.get("traceparent"),
    )


class OutboxRelay:
    """Publishes an outbox to `events.<producer>`; run it as a background task."""

    name = "outbox-relay"

    def __init__(
        self,
        db: AsyncDatabase[Document],
        redis: aioredis.Redis,
        producer: str,
        *,
        batch_size: int = 100,
        poll_seconds: float = 0.2,
        max_stream_length: int = 100_000,
        lease_seconds: float = 10.0,
        keep_published: timedelta = timedelta(days=7),
        clock: Clock = utc_now,
    ) -> None:
        self._outbox = db["outbox"]
        self._lease = MongoLease(db, f"outbox-relay:{producer}", seconds=lease_seconds, clock=clock)
        self._redis = redis
        self.stream = stream_of(producer)
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._max_stream_length = max_stream_length
        self._keep_published = keep_published
        self._clock = clock
        self._wake = asyncio.Event()
        self._next_cleanup = datetime.min.replace(tzinfo=UTC)
        self._gauges = gauges.OutboxGauges(self._outbox, producer, clock)

    @classmethod
    def for_settings(
        cls,
        db: AsyncDatabase[Document],
        redis: aioredis.Redis,
        producer: str,
        streams: StreamSettings,
    ) -> OutboxRelay:
        return cls(
            db,
            redis,
            producer,
            poll_seconds=streams.relay_poll_seconds,
            max_stream_length=streams.max_length,
        )

    def task(self) -> BackgroundTask:
        """The relay as a background task of the app (a `Resource`)."""
        return BackgroundTask(self.name, self.run, on_stop=self.release)

    def wake(self) -> None:
        """Publish soon: new events were just committed in this process."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set, backing off while MongoDB or Redis is unreachable. Its
        gauges are reported at `/metrics` while it runs."""
        gauges.register(self._gauges)
        try:
            await self._relay(stop)
        finally:
            gauges.unregister(self._gauges)

    async def _relay(self, stop: asyncio.Event) -> None:
        backoff = self._poll_seconds
        while not stop.is_set():
            try:
                published = await self.publish_pending()
            except (RedisError, PyMongoError, OSError) as exc:
                log.warning("outbox relay cannot publish yet", extra={"error": repr(exc)})
                backoff = min(backoff * 2, 5.0)
                await pause(stop, backoff)
                continue
            backoff = self._poll_seconds
            if published < self._batch_size:
                self._wake.clear()
                await pause(stop, self._poll_seconds, self._wake)

    async def publish_pending(self) -> int:
        """One pass: publish a batch of pending events if this relay holds the lease."""
        if not await self._lease.hold():
            return 0
        cursor = (
            self._outbox.find({"published": False})
            .sort([("occurred_at", ASCENDING), ("sequence", ASCENDING)])
            .limit(self._batch_size)
        )
        docs = await cursor.to_list()
        if not docs:
            await self._forget_old()
            return 0
        await self._publish(docs)
        await self._mark_published(docs)
        return len(docs)

    async def _publish(self, docs: list[Document]) -> None:
        events = [_from_document(doc) for doc in docs]
        async with self._redis.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.xadd(
                    self.stream,
                    event.to_fields(),  # type: ignore[arg-type]
                    maxlen=self._max_stream_length,
                    approximate=True,
                )
            with telemetry.publishing(events, stream=self.stream):
                await pipe.execute()

    async def _mark_published(self, docs: list[Document]) -> None:
        await self._outbox.update_many(
            {"_id": {"$in": [d["_id"] for d in docs]}},
            {"$set": {"published": True, "published_at": self._clock()}},
        )

    async def release(self) -> None:
        await self._lease.release()

    async def _forget_old(self) -> None:
        now = self._clock()
        if now < self._next_cleanup:
            return
        self._next_cleanup = now + timedelta(minutes=1)
        cutoff = now - self._keep_published
        await self._outbox.delete_many({"published": True, "published_at": {"$lt": cutoff}})
