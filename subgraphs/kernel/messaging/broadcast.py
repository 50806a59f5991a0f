"""Fan-out of one event stream to in-process subscribers, e.g. GraphQL subscriptions.

One reader per process tails the stream (`XREAD`, no consumer group, so
every replica sees every event) and hands each event to the subscribers
registered under its key. A subscriber registers before it reads any state,
so no event after that moment is missed. When the process drains before it
stops, every subscriber's events end (the GraphQL subscription completes), and
so do those of a subscriber that comes after (a gateway may send it on the
connection it still holds to this process), so its client subscribes again
on another process and reads what it missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from subgraphs.kernel.core.events import Event, MalformedEvent
from subgraphs.kernel.observability.metrics import Counter
from subgraphs.kernel.process.background import pause
from subgraphs.kernel.process.drain import DRAIN

log = logging.getLogger(__name__)

SUBSCRIPTIONS = Counter(
    "broadcast_subscriptions_total",
    "Subscribers registered on an event-stream broadcast (from then on they miss no event),"
    " by stream.",
)

KeyOf = Callable[[Event], str | None]


class StreamBroadcast:
    name = "stream-broadcast"

    def __init__(
        self,
        redis: aioredis.Redis,
        stream: str,
        key_of: KeyOf,
        *,
        block_ms: int = 1_000,
        queue_size: int = 1_000,
    ) -> None:
        self._redis = redis
        self._stream = stream
        self._key_of = key_of
        self._block_ms = block_ms
        self._queue_size = queue_size
        self._subscribers: dict[str, set[asyncio.Queue[Event | None]]] = defaultdict(set)
        self._ended = False  # the process is about to stop: a new subscriber ends at once

    @contextlib.asynccontextmanager
    async def subscribe(self, key: str) -> AsyncIterator[AsyncIterator[Event]]:
        """Events for `key` from now on, until the block exits (none once the process drained:
        the client subscribes again, on another process)."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue(self._queue_size)
        if self._ended:
            _end(queue)
            yield _drain(queue)
            return
        self._subscribers[key].add(queue)
        SUBSCRIPTIONS.inc(stream=self._stream)
        try:
            yield _drain(queue)
        finally:
            self._subscribers[key].discard(queue)
            if not self._subscribers[key]:
                del self._subscribers[key]

    def end_all(self) -> None:
        """End every subscriber's events, and those of any later one (the process is about
        to stop)."""
        self._ended = True
        for key, queues in list(self._subscribers.items()):
            for queue in list(queues):
                _end(queue)
            del self._subscribers[key]

    async def run(self, stop: asyncio.Event) -> None:
        DRAIN.on_ending(self.end_all)
        try:
            await self._tail(stop)
        finally:
            DRAIN.discard(self.end_all)

    async def _tail(self, stop: asyncio.Event) -> None:
        last_id: str | None = None
        while not stop.is_set():
            try:
                if last_id is None:
                    newest = await self._redis.xrevrange(self._stream, count=1)
                    last_id = newest[0][0] if newest else "0-0"
                replies = await self._redis.xread(
                    {self._stream: last_id}, count=500, block=self._block_ms
                )
            except (RedisError, OSError) as exc:
                log.warning("broadcast waiting for redis", extra={"error": repr(exc)})
                await pause(stop, 1.0)
                continue
            for _, entries in replies or []:
                for entry_id, fields in entries:
                    last_id = entry_id
                    self._dispatch(fields)

    def _dispatch(self, fields: dict[str, str]) -> None:
        try:
            event = Event.from_fields(fields)
        except MalformedEvent:
            return
        key = self._key_of(event)
        for queue in list(self._subscribers.get(key or "", ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("subscriber too slow; closing it", extra={"key": key})
                self._subscribers[key or ""].discard(queue)
                _end(queue)


def _end(queue: asyncio.Queue[Event | None]) -> None:
    """Make `queue`'s reader stop after what it holds (its oldest event dropped if full)."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(None)


async def _drain(queue: asyncio.Queue[Event | None]) -> AsyncIterator[Event]:
    while (event := await queue.get()) is not None:
        yield event
