"""Readiness on another context's stream: not ready until its consumer group caught up once;
and the MongoDB lease one replica at a time holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.messaging.caught_up import CaughtUpOnce, NotCaughtUp
from subgraphs.kernel.messaging.consumer import StreamConsumer
from subgraphs.kernel.process.lease import MongoLease

pytestmark = pytest.mark.integration


async def test_ready_only_once_everything_up_to_the_tail_was_handled(redis):
    handled: list[str] = []
    failing = {"fail": True}

    async def handle(event):
        if failing["fail"]:
            raise RuntimeError("not yet")
        handled.append(event.id)

    consumer = StreamConsumer(
        redis,
        group="g",
        streams=["events.src"],
        handlers={"src.thing": handle},
        retry_after_ms=0,
        block_ms=10,
    )
    check = CaughtUpOnce(redis, "events.src", "g")

    with pytest.raises(NotCaughtUp):  # no stream yet
        await check.ping()
    await consumer.ensure_groups()
    with pytest.raises(NotCaughtUp):  # an empty stream
        await check.ping()
    for n in range(3):
        event = Event.create("src.thing", {"n": n}, producer="src", occurred_at=datetime.now(UTC))
        await redis.xadd("events.src", event.to_fields())
    with pytest.raises(NotCaughtUp):  # not read yet
        await check.ping()
    await consumer.read_new()  # read, but the handler failed: still pending
    with pytest.raises(NotCaughtUp):
        await check.ping()

    failing["fail"] = False
    await consumer.reclaim()
    await check.ping()
    assert len(handled) == 3
    assert check.caught_up

    await redis.xadd(
        "events.src",
        Event.create("src.thing", {}, producer="src", occurred_at=datetime.now(UTC)).to_fields(),
    )
    await check.ping()  # once caught up, later lag does not make it unready


async def test_ready_once_the_tail_of_the_first_look_was_handled_while_events_keep_coming(
    redis,
):
    consumer = StreamConsumer(
        redis,
        group="g",
        streams=["events.busy"],
        handlers={"src.thing": lambda event: _nothing()},
        retry_after_ms=0,
        block_ms=10,
    )
    check = CaughtUpOnce(redis, "events.busy", "g")
    await consumer.ensure_groups()

    async def add() -> None:
        event = Event.create("src.thing", {}, producer="src", occurred_at=datetime.now(UTC))
        await redis.xadd("events.busy", event.to_fields())

    for _ in range(3):
        await add()
    with pytest.raises(NotCaughtUp):  # the tail to reach is the third entry
        await check.ping()
    await consumer.read_new()
    await add()  # a newer entry the group has not read yet: it lags, as under load

    await check.ping()
    assert check.caught_up


async def _nothing() -> None:
    return None


async def test_not_ready_while_what_the_group_fills_is_empty_though_it_read_the_tail(redis):
    projection: list[str] = []
    consumer = StreamConsumer(
        redis,
        group="g",
        streams=["events.trimmed"],
        handlers={"src.thing": lambda event: _nothing()},
        retry_after_ms=0,
        block_ms=10,
    )

    async def filled() -> bool:
        return bool(projection)

    check = CaughtUpOnce(redis, "events.trimmed", "g", filled=filled)
    await consumer.ensure_groups()
    # What filled the projection was trimmed away: the stream holds other events only.
    event = Event.create("src.other", {}, producer="src", occurred_at=datetime.now(UTC))
    await redis.xadd("events.trimmed", event.to_fields())
    await consumer.read_new()

    with pytest.raises(NotCaughtUp, match="empty"):  # read up to the tail, nothing in it
        await check.ping()
    assert not check.caught_up
    projection.append("filled by a later event")
    await check.ping()
    assert check.caught_up


async def test_one_holder_at_a_time_until_released_or_lapsed(scratch_db):
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    first = MongoLease(scratch_db, "work", seconds=10, clock=lambda: now[0])
    second = MongoLease(scratch_db, "work", seconds=10, clock=lambda: now[0])

    assert await first.hold()
    assert not await second.hold()
    await first.release()
    assert await second.hold()
    assert not await first.hold()
    now[0] += timedelta(seconds=11)  # the holder died: its lease lapses
    assert await first.hold()
