"""The outbox relay: nothing committed is lost, whatever Redis or the relay does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.messaging.outbox import Outbox, OutboxRelay
from subgraphs.kernel.stores.mongo import in_transaction

pytestmark = pytest.mark.integration


def an_event(n: int) -> Event:
    return Event.create(
        "things.happened", {"n": n}, producer="things", occurred_at=datetime.now(UTC)
    )


async def commit(db, events: list[Event]) -> None:
    outbox = Outbox(db)
    await outbox.ensure_indexes()

    async def work(session):
        await db["things"].insert_one({"n": len(events)}, session=session)
        await outbox.add(events, session)

    await in_transaction(db.client, work)


async def stream_ids(redis: aioredis.Redis, stream: str) -> list[str]:
    return [fields["id"] for _, fields in await redis.xrange(stream)]


async def test_events_are_published_in_order_once(scratch_db, redis):
    events = [an_event(i) for i in range(5)]
    await commit(scratch_db, events)
    relay = OutboxRelay(scratch_db, redis, "things")

    assert await relay.publish_pending() == 5
    assert await relay.publish_pending() == 0

    assert await stream_ids(redis, "events.things") == [e.id for e in events]
    entry = (await redis.xrange("events.things"))[0][1]
    assert Event.from_fields(entry) == events[0]


async def test_a_relay_that_dies_after_publishing_loses_nothing(scratch_db, redis):
    events = [an_event(i) for i in range(3)]
    await commit(scratch_db, events)
    dying = OutboxRelay(scratch_db, redis, "things", lease_seconds=0.0)
    pending = await scratch_db["outbox"].find({"published": False}).to_list()
    await dying._publish(pending)  # ...and dies before marking them published

    successor = OutboxRelay(scratch_db, redis, "things")
    assert await successor.publish_pending() == 3

    published = await stream_ids(redis, "events.things")
    assert published == [e.id for e in events] * 2  # at least once; consumers de-duplicate
    assert await scratch_db["outbox"].count_documents({"published": False}) == 0


async def test_only_the_lease_holder_publishes(scratch_db, redis):
    await commit(scratch_db, [an_event(1)])
    first = OutboxRelay(scratch_db, redis, "things")
    second = OutboxRelay(scratch_db, redis, "things")

    assert await first.publish_pending() == 1
    await commit(scratch_db, [an_event(2)])
    assert await second.publish_pending() == 0
    assert await first.publish_pending() == 1
    await first.release()
    await commit(scratch_db, [an_event(3)])
    assert await second.publish_pending() == 1


async def test_events_committed_while_redis_is_down_are_published_when_it_is_back(
    scratch_db, own_redis
):
    client = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    relay = OutboxRelay(scratch_db, client, "things", poll_seconds=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        own_redis.stop()
        event = an_event(1)
        await commit(scratch_db, [event])  # the producer's write does not need Redis
        await asyncio.sleep(0.5)
        assert await scratch_db["outbox"].count_documents({"published": False}) == 1

        own_redis.start()
        own_redis.wait_ready()
        for _ in range(100):
            if await scratch_db["outbox"].count_documents({"published": False}) == 0:
                break
            await asyncio.sleep(0.1)
        assert await stream_ids(client, "events.things") == [event.id]
    finally:
        stop.set()
        await running
        await client.aclose()


async def test_the_lease_is_renewed_once_half_of_it_has_passed_not_on_every_pass(scratch_db, redis):
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    relay = OutboxRelay(scratch_db, redis, "things", lease_seconds=10, clock=lambda: now[0])
    other = OutboxRelay(scratch_db, redis, "things", lease_seconds=10, clock=lambda: now[0])

    async def lease_until() -> datetime:
        doc = await scratch_db["leases"].find_one({"_id": "outbox-relay:things"})
        assert doc is not None
        until: datetime = doc["until"].replace(tzinfo=UTC)
        return until

    await relay.publish_pending()
    first = await lease_until()
    now[0] += timedelta(seconds=4)
    await relay.publish_pending()
    assert await lease_until() == first  # not renewed: more than half of it is left
    assert await other.publish_pending() == 0  # and still ours

    now[0] += timedelta(seconds=2)
    await commit(scratch_db, [an_event(1)])
    assert await relay.publish_pending() == 1
    assert await lease_until() == now[0] + timedelta(seconds=10)  # renewed past the half

    now[0] += timedelta(seconds=11)  # the holder stopped renewing (it died): taken over
    await commit(scratch_db, [an_event(2)])
    assert await other.publish_pending() == 1
