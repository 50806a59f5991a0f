"""A consumer-group reader of event streams, at least once, never silently dropping.

- `XREADGROUP` new entries; `XACK` only after the handler succeeded.
- A failed entry stays pending and is retried once it has been idle for
  `retry_after_ms`, by this consumer or any other (`XAUTOCLAIM`), which is
  also how the entries of a dead consumer are taken over. The claim is tried
  every quarter of `retry_after_ms` (not after every batch: at a few events a
  second that was a dozen Redis round trips per event), so an entry is
  retried between 1 and 1.25 times `retry_after_ms` after it failed.
- An entry delivered `max_deliveries` times without success, one that is
  not an envelope at all, one whose handler raises `MalformedEvent` (a
  payload no retry can fix), or one of a handled type at a version the
  consumer does not declare (`contracts.Consumes`) goes to the dead-letter
  stream `dead.<group>` (counted in the hash `dead.counts`) with its reason
  and is acknowledged.
- On stop (the process drains, see kernel/process/drain.py) it reads no
  more and handles no further entry of the batch in hand: what it handled is
  acknowledged, the rest is released (its idle time set to `retry_after_ms`,
  its delivery count unchanged), so a consumer still running claims it at its
  next pass instead of after the timeout.
- With the group's declaration (`contracts.Consumes`), a handler sees only the payload
  fields declared for the event's type and version.
- Handlers must be idempotent on `event.id` (delivery is at least once);
  `subgraphs.kernel.messaging.inbox` helps with that in MongoDB.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError
from redis.typing import StreamIdT

from subgraphs.kernel.core.contracts import Consumes, unknown_version
from subgraphs.kernel.core.correlation import correlation_id
from subgraphs.kernel.core.events import Event, EventTooEarly, MalformedEvent, stream_of
from subgraphs.kernel.observability import gauges, telemetry
from subgraphs.kernel.process.background import BackgroundTask, pause
from subgraphs.kernel.process.settings import StreamSettings

log = logging.getLogger(__name__)

Handler = Callable[[Event], Awaitable[object]]  # what it returns is ignored

DEAD_COUNTS = "dead.counts"


def dead_letter_stream(group: str) -> str:
    return f"dead.{group}"


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class StreamConsumer:
    """Delivers the events of `streams` to `handlers` (by event type) for consumer `group`.

    With `reads` (the group's declaration), every handled type must be declared, a handler
    gets the event with only the payload fields declared for its type and version, and an
    entry of a handled type at an undeclared version goes to the dead letters.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        group: str,
        streams: Sequence[str],
        handlers: Mapping[str, Handler],
        consumer: str | None = None,
        max_deliveries: int = 5,
        retry_after_ms: int = 30_000,
        block_ms: int = 1_000,
        batch_size: int = 50,
        reads: Consumes | None = None,
    ) -> None:
        if reads is not None and (undeclared := reads.undeclared(list(handlers))):
            raise ValueError(f"consumer {group} handles undeclared events: {undeclared}")
        self._redis = redis
        self.group = group
        self._streams = list(streams)
        self._handlers = dict(handlers)
        self._reads = reads
        self._versions = reads.versions() if reads is not None else {}
        self.consumer = consumer or consumer_name()
        self._max_deliveries = max_deliveries
        self._retry_after_ms = retry_after_ms
        self._next_reclaim = 0.0  # time.monotonic() of the next XAUTOCLAIM pass
        self._block_ms = block_ms
        self._batch_size = batch_size
        self.dead_letters = dead_letter_stream(group)
        self._gauges = gauges.ConsumerGauges(redis, group, self._streams, DEAD_COUNTS)

    @classmethod
    def for_settings(
        cls,
        redis: aioredis.Redis,
        settings: StreamSettings,
        *,
        group: str,
        producers: Sequence[str],
        handlers: Mapping[str, Handler],
        reads: Consumes | None = None,
    ) -> StreamConsumer:
        """Consumer `group` of the `events.<producer>` streams, with the retries of `settings`."""
        return cls(
            redis,
            group=group,
            streams=[stream_of(p) for p in producers],
            handlers=handlers,
            max_deliveries=settings.max_deliveries,
            retry_after_ms=settings.retry_after_ms,
            reads=reads,
        )

    def task(self, name: str, *, critical: bool = False) -> BackgroundTask:
        """The consumer as a background task of the app (a `Resource`)."""
        return BackgroundTask(name, self.run, critical=critical)

    async def ensure_groups(self) -> None:
        """Create the consumer group on each stream (from its start) if missing."""
        for stream in self._streams:
            try:
                await self._redis.xgroup_create(stream, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; Redis outages are waited out, not fatal. Its gauges
        are reported at `/metrics` while it runs."""
        gauges.register(self._gauges)
        try:
            await self._consume(stop)
        finally:
            gauges.unregister(self._gauges)

    async def _consume(self, stop: asyncio.Event) -> None:
        ready = False
        while not stop.is_set():
            try:
                if not ready:
                    await self.ensure_groups()
                    ready = True
                await self._reclaim_when_due(stop)
                if not stop.is_set():
                    await self.read_new(stop)
            except (RedisError, OSError) as exc:
                log.warning("stream consumer waiting for redis", extra={"error": repr(exc)})
                ready = False
                await pause(stop, 1.0)

    async def _reclaim_when_due(self, stop: asyncio.Event) -> None:
        if time.monotonic() < self._next_reclaim:
            return
        if await self.reclaim(stop) < self._batch_size:  # a full batch: more may be waiting
            self._next_reclaim = time.monotonic() + self._retry_after_ms / 4000

    async def read_new(self, stop: asyncio.Event | None = None) -> int:
        """Read and handle one batch of new entries (blocking up to `block_ms`); once `stop`
        is set, the entries not handled yet are released."""
        replies = await self._redis.xreadgroup(
            self.group,
            self.consumer,
            dict.fromkeys(self._streams, ">"),
            count=self._batch_size,
            block=self._block_ms,
        )
        batch = [(stream, entry) for stream, entries in replies or [] for entry in entries]
        handled = 0
        for index, (stream, (entry_id, fields)) in enumerate(batch):
            if stop is not None and stop.is_set():
                await self._release(batch[index:])
                break
            await self._deliver(stream, entry_id, fields, deliveries=1)
            handled += 1
        return handled

    async def reclaim(self, stop: asyncio.Event | None = None) -> int:
        """Retry entries idle for `retry_after_ms` (failed here, or left by a dead consumer);
        once `stop` is set, the entries not handled yet are released."""
        handled = 0
        for stream in self._streams:
            _, entries, *_ = await self._redis.xautoclaim(
                stream,
                self.group,
                self.consumer,
                min_idle_time=self._retry_after_ms,
                start_id="0-0",
                count=self._batch_size,
            )
            for index, (entry_id, fields) in enumerate(entries):
                if stop is not None and stop.is_set():
                    await self._release([(stream, entry) for entry in entries[index:]])
                    break
                if fields is None:  # trimmed from the stream meanwhile
                    await self._redis.xack(stream, self.group, entry_id)
                    continue
                pending = await self._redis.xpending_range(
                    stream, self.group, min=entry_id, max=entry_id, count=1
                )
                deliveries = pending[0]["times_delivered"] if pending else self._max_deliveries
                await self._deliver(stream, entry_id, fields, deliveries=deliveries)
                handled += 1
        return handled

    async def _release(self, entries: Sequence[tuple[str, tuple[str, Any]]]) -> None:
        """Leave `(stream, (entry id, fields))` entries pending, idle long enough that any
        other consumer of the group claims them at its next pass (delivery count unchanged)."""
        by_stream: dict[str, list[StreamIdT]] = {}
        for stream, (entry_id, _) in entries:
            by_stream.setdefault(stream, []).append(entry_id)
        for stream, ids in by_stream.items():
            await self._redis.xclaim(
                stream,
                self.group,
                self.consumer,
                min_idle_time=0,
                message_ids=ids,
                idle=self._retry_after_ms,
                justid=True,
            )
            log.info(
                "stopping: entries left for another consumer",
                extra={"stream": stream, "group": self.group, "entries": len(ids)},
            )

    async def _deliver(
        self, stream: str, entry_id: str, fields: dict[str, Any], *, deliveries: int
    ) -> None:
        try:
            event = Event.from_fields(fields)
        except MalformedEvent as exc:
            await self._dead_letter(stream, entry_id, fields, str(exc), deliveries)
            return
        handler = self._handlers.get(event.type)
        if handler is not None and (unknown := unknown_version(event, self._versions)):
            await self._dead_letter(stream, entry_id, fields, unknown, deliveries)
            return
        if handler is not None:
            token = correlation_id.set(event.correlation_id)
            try:
                with telemetry.handling(event, stream=stream, group=self.group):
                    await handler(event if self._reads is None else self._reads.project(event))
                    log.info(
                        "event handled",
                        extra={"event_id": event.id, "type": event.type, "group": self.group},
                    )
            except MalformedEvent as exc:  # the handler found the payload unusable: no retry helps
                await self._dead_letter(stream, entry_id, fields, str(exc), deliveries)
                return
            except EventTooEarly as exc:  # expected (streams overtake each other): no stack trace
                log.warning(
                    "event too early, delivered again later",
                    extra={
                        "event_id": event.id,
                        "type": event.type,
                        "deliveries": deliveries,
                        "error": str(exc),
                    },
                )
                if deliveries >= self._max_deliveries:
                    await self._dead_letter(stream, entry_id, fields, repr(exc), deliveries)
                return
            except Exception as exc:
                log.exception(
                    "event handler failed",
                    extra={"event_id": event.id, "type": event.type, "deliveries": deliveries},
                )
                if deliveries >= self._max_deliveries:
                    await self._dead_letter(stream, entry_id, fields, repr(exc), deliveries)
                return  # stays pending; retried after retry_after_ms
            finally:
                correlation_id.reset(token)
        await self._redis.xack(stream, self.group, entry_id)

    async def _dead_letter(
        self, stream: str, entry_id: str, fields: dict[str, Any], reason: str, deliveries: int
    ) -> None:
        log.error(
            "event sent to dead letters",
            extra={"stream": stream, "entry_id": entry_id, "reason": reason},
        )
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self.dead_letters,
                {
                    **{f"original.{k}": str(v) for k, v in fields.items()},
                    "stream": stream,
                    "entry_id": entry_id,
                    "reason": reason[:1000],
                    "deliveries": str(deliveries),
                },
                maxlen=100_000,
                approximate=True,
            )
            pipe.hincrby(DEAD_COUNTS, self.group, 1)
            pipe.xack(stream, self.group, entry_id)
            await pipe.execute()
