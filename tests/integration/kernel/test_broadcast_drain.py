"""A process that drains ends the subscriptions it serves, so their clients subscribe elsewhere."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.messaging.broadcast import StreamBroadcast
from subgraphs.kernel.process.drain import DRAIN
from testkit.waiting import eventually

pytestmark = pytest.mark.integration

STREAM = "events.drained"


def tailing(redis):
    """True once a connection has sent XREAD: the broadcast tails from its starting point."""

    async def check() -> bool:
        return any(client.get("cmd") == "xread" for client in await redis.client_list())

    return check


async def test_the_end_of_the_drain_ends_every_subscriber_after_what_it_was_sent(redis):
    def event(key: str) -> Event:
        return Event.create(
            "things.moved", {"key": key}, producer="t", occurred_at=datetime.now(UTC)
        )

    await redis.xadd(STREAM, event("before").to_fields())  # the tail starts after this one
    broadcast = StreamBroadcast(redis, STREAM, key_of=lambda e: str(e.payload["key"]), block_ms=50)
    stop = asyncio.Event()
    tail = asyncio.create_task(broadcast.run(stop))
    try:
        async with broadcast.subscribe("a") as events:
            await eventually(tailing(redis), what="the broadcast to tail the stream")
            sent = event("a")
            await redis.xadd(STREAM, sent.to_fields())
            first = await asyncio.wait_for(anext(events), 20)  # the tail runs: its hook is set
            DRAIN.end()
            rest = [e async for e in events]
        assert first.id == sent.id
        assert rest == []  # ended: the subscription completes
        async with broadcast.subscribe("a") as later:  # one that comes after: ended at once
            assert [e async for e in later] == []
    finally:
        stop.set()
        await tail
