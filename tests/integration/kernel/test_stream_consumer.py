"""The stream consumer: at least once, reclaimed from dead consumers, poison to dead letters."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.contracts import Consumes, Reads
from subgraphs.kernel.core.events import Event, EventTooEarly, MalformedEvent
from subgraphs.kernel.messaging.consumer import DEAD_COUNTS, StreamConsumer
from subgraphs.kernel.messaging.inbox import Inbox
from subgraphs.kernel.stores.mongo import in_transaction

pytestmark = pytest.mark.integration

STREAM = "events.things"


async def append(redis, n: int, type: str = "things.happened", version: int = 1) -> Event:
    event = Event.create(
        type, {"n": n}, producer="things", occurred_at=datetime.now(UTC), version=version
    )
    await redis.xadd(STREAM, event.to_fields())
    return event


def consumer(redis, handlers, **options) -> StreamConsumer:
    return StreamConsumer(
        redis, group="testers", streams=[STREAM], handlers=handlers, block_ms=50, **options
    )


async def pending_count(redis) -> int:
    return (await redis.xpending(STREAM, "testers"))["pending"]


async def test_events_are_handled_and_acknowledged(redis):
    seen: list[int] = []

    async def handle(event: Event) -> None:
        seen.append(event.payload["n"])

    c = consumer(redis, {"things.happened": handle})
    await c.ensure_groups()
    for n in range(3):
        await append(redis, n)
    await append(redis, 99, type="things.ignored")

    assert await c.read_new() == 4
    assert seen == [0, 1, 2]
    assert await pending_count(redis) == 0


async def test_an_entry_of_a_consumer_killed_before_ack_is_reclaimed_and_processed_once(
    redis, scratch_db
):
    inbox = Inbox(scratch_db)

    async def apply(event: Event) -> None:
        async def work(session):
            if await inbox.claim(event.id, session):
                await scratch_db["effects"].insert_one({"n": event.payload["n"]}, session=session)

        await in_transaction(scratch_db.client, work)

    dead = consumer(redis, {"things.happened": apply}, consumer="dead-one")
    await dead.ensure_groups()
    await append(redis, 7)
    # The dead consumer read the entry and died before handling or acknowledging it.
    await redis.xreadgroup("testers", "dead-one", {STREAM: ">"}, count=10)
    assert await pending_count(redis) == 1

    survivor = consumer(redis, {"things.happened": apply}, consumer="survivor", retry_after_ms=2000)
    assert await survivor.reclaim() == 0  # not idle long enough yet
    await asyncio.sleep(2.1)
    assert await survivor.reclaim() == 1
    assert await survivor.reclaim() == 0

    assert await scratch_db["effects"].count_documents({}) == 1
    assert await pending_count(redis) == 0


async def test_a_duplicate_delivery_is_absorbed_by_the_inbox(redis, scratch_db):
    inbox = Inbox(scratch_db)

    async def apply(event: Event) -> None:
        async def work(session):
            if await inbox.claim(event.id, session):
                await scratch_db["effects"].insert_one({"id": event.id}, session=session)

        await in_transaction(scratch_db.client, work)

    c = consumer(redis, {"things.happened": apply})
    await c.ensure_groups()
    event = await append(redis, 1)
    await redis.xadd(STREAM, event.to_fields())  # the relay published it twice

    assert await c.read_new() == 2
    assert await scratch_db["effects"].count_documents({}) == 1


async def test_a_poison_event_goes_to_dead_letters_and_the_consumer_keeps_going(redis):
    handled: list[int] = []

    async def handle(event: Event) -> None:
        if event.payload["n"] == 13:
            raise ValueError("cannot handle 13")
        handled.append(event.payload["n"])

    c = consumer(redis, {"things.happened": handle}, max_deliveries=3, retry_after_ms=20)
    await c.ensure_groups()
    poison = await append(redis, 13)
    await append(redis, 14)

    await c.read_new()
    for _ in range(5):
        await asyncio.sleep(0.03)
        await c.reclaim()

    assert handled == [14]
    [(_, dead)] = await redis.xrange("dead.testers")
    assert dead["original.id"] == poison.id
    assert dead["deliveries"] == "3"
    assert "cannot handle 13" in dead["reason"]
    assert await redis.hget(DEAD_COUNTS, "testers") == "1"
    assert await pending_count(redis) == 0

    await append(redis, 15)
    await c.read_new()
    assert handled == [14, 15]


async def test_a_malformed_entry_goes_straight_to_dead_letters(redis):
    c = consumer(redis, {})
    await c.ensure_groups()
    await redis.xadd(STREAM, {"garbage": "yes"})

    await c.read_new()

    [(_, dead)] = await redis.xrange("dead.testers")
    assert dead["original.garbage"] == "yes"
    assert dead["deliveries"] == "1"
    assert await pending_count(redis) == 0


async def test_a_payload_its_handler_calls_malformed_goes_straight_to_dead_letters(redis):
    async def handle(event: Event) -> None:
        raise MalformedEvent("payload has no 'user_id'")

    c = consumer(redis, {"things.happened": handle}, max_deliveries=5)
    await c.ensure_groups()
    event = await append(redis, 1)

    await c.read_new()

    [(_, dead)] = await redis.xrange("dead.testers")
    assert (dead["original.id"], dead["deliveries"]) == (event.id, "1")
    assert dead["reason"] == "payload has no 'user_id'"
    assert await pending_count(redis) == 0


async def test_a_version_the_consumer_does_not_declare_goes_to_dead_letters_with_the_reason(
    redis,
):
    handled: list[tuple[int, int]] = []

    async def handle(event: Event) -> None:
        handled.append((event.version, event.payload["n"]))

    reads = Consumes("testers", ("things",), (Reads("things.happened", 1, ("n",)),))
    c = consumer(redis, {"things.happened": handle}, reads=reads)
    await c.ensure_groups()
    await append(redis, 1)
    unknown = await append(redis, 2, version=2)
    await append(redis, 3)

    assert await c.read_new() == 3

    assert handled == [(1, 1), (1, 3)]  # it kept going, past the unknown version
    [(_, dead)] = await redis.xrange("dead.testers")
    assert (dead["original.id"], dead["original.version"]) == (unknown.id, "2")
    assert dead["reason"] == "unknown version 2 of things.happened (this consumer reads 1)"
    assert dead["deliveries"] == "1"  # no retry: no retry can teach it the version
    assert await redis.hget(DEAD_COUNTS, "testers") == "1"
    assert await pending_count(redis) == 0


async def test_a_handler_gets_only_the_fields_its_consumer_declares(redis):
    payloads: list[dict[str, object]] = []

    async def handle(event: Event) -> None:
        payloads.append(dict(event.payload))

    reads = Consumes("testers", ("things",), (Reads("things.happened", 1, ("n", "parts[].id")),))
    c = consumer(redis, {"things.happened": handle}, reads=reads)
    await c.ensure_groups()
    whole = {"n": 1, "secret": "s", "parts": [{"id": "a", "price": 2}], "by": {"id": "u"}}
    event = Event.create("things.happened", whole, producer="things", occurred_at=datetime.now(UTC))
    await redis.xadd(STREAM, event.to_fields())

    assert await c.read_new() == 1

    assert payloads == [{"n": 1, "parts": [{"id": "a"}]}]
    assert await pending_count(redis) == 0


async def test_a_field_of_another_shape_than_declared_goes_straight_to_dead_letters(redis):
    handled: list[Event] = []

    async def handle(event: Event) -> None:
        handled.append(event)

    reads = Consumes("testers", ("things",), (Reads("things.happened", 1, ("parts[].id",)),))
    c = consumer(redis, {"things.happened": handle}, reads=reads)
    await c.ensure_groups()
    payload = {"parts": [["a", 2]]}
    bad = Event.create("things.happened", payload, producer="things", occurred_at=datetime.now(UTC))
    await redis.xadd(STREAM, bad.to_fields())
    good = await append(redis, 1)

    assert await c.read_new() == 2

    assert [event.id for event in handled] == [good.id]  # never handed the bad one
    [(_, dead)] = await redis.xrange("dead.testers")
    assert (dead["original.id"], dead["deliveries"]) == (bad.id, "1")
    assert dead["reason"] == "payload field parts[] has an item that is not an object"
    assert await pending_count(redis) == 0


async def test_a_consumer_moving_to_a_new_version_handles_both_it_declares(redis):
    """While a producer moves from v1 to v2 (docs/events.md), its consumers read both."""
    handled: list[tuple[int, int]] = []

    async def handle(event: Event) -> None:
        handled.append((event.version, event.payload["n"]))

    both = (Reads("things.happened", 1, ("n",)), Reads("things.happened", 2, ("n",)))
    c = consumer(redis, {"things.happened": handle}, reads=Consumes("testers", ("things",), both))
    await c.ensure_groups()
    await append(redis, 1)
    await append(redis, 2, version=2)
    unknown = await append(redis, 3, version=3)

    assert await c.read_new() == 3

    assert handled == [(1, 1), (2, 2)]
    [(_, dead)] = await redis.xrange("dead.testers")
    assert (dead["original.id"], dead["reason"]) == (
        unknown.id,
        "unknown version 3 of things.happened (this consumer reads 1, 2)",
    )
    assert await pending_count(redis) == 0


def test_a_consumer_refuses_to_handle_an_event_it_does_not_declare(redis):
    reads = Consumes("testers", ("things",), (Reads("things.happened", 1),))

    async def handle(event: Event) -> None:
        return None

    with pytest.raises(ValueError, match=r"undeclared events: \['things.other'\]"):
        consumer(redis, {"things.happened": handle, "things.other": handle}, reads=reads)


async def test_an_event_too_early_stays_pending_with_a_warning_and_no_stack_trace(redis, caplog):
    async def handle(event: Event) -> None:
        raise EventTooEarly("paid before its reservation")

    c = consumer(redis, {"things.happened": handle}, max_deliveries=5)
    await c.ensure_groups()
    await append(redis, 1)

    with caplog.at_level(logging.INFO, logger="subgraphs.kernel.messaging.consumer"):
        await c.read_new()

    [record] = [r for r in caplog.records if r.name == "subgraphs.kernel.messaging.consumer"]
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert await pending_count(redis) == 1  # delivered again later
    assert await redis.xlen("dead.testers") == 0


async def test_run_stops_gracefully(redis):
    seen: list[int] = []

    async def handle(event: Event) -> None:
        seen.append(event.payload["n"])

    c = consumer(redis, {"things.happened": handle})
    stop = asyncio.Event()
    task = asyncio.create_task(c.run(stop))
    await append(redis, 1)
    for _ in range(500):  # up to 10 s on a busy machine
        if seen:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert seen == [1]


async def test_a_running_consumer_retries_a_failed_entry_and_claims_only_every_quarter_retry(
    redis,
):
    """The claim pass (XAUTOCLAIM) runs once every quarter of `retry_after_ms`, not after
    every batch; a failed entry is still retried by the running consumer."""
    seen: list[int] = []
    failed_once: set[int] = set()

    async def handle(event: Event) -> None:
        n = event.payload["n"]
        if n == 0 and n not in failed_once:
            failed_once.add(n)
            raise RuntimeError("the first delivery fails")
        seen.append(n)

    class Counting(StreamConsumer):
        passes = 0

        async def reclaim(self, stop: asyncio.Event | None = None) -> int:
            Counting.passes += 1
            return await super().reclaim(stop)

    c = Counting(
        redis,
        group="testers",
        streams=[STREAM],
        handlers={"things.happened": handle},
        block_ms=20,
        retry_after_ms=400,
    )
    stop = asyncio.Event()
    began = time.monotonic()
    task = asyncio.create_task(c.run(stop))
    for n in range(30):
        await append(redis, n)
        await asyncio.sleep(0.01)
    for _ in range(1000):  # up to 20 s on a busy machine
        if 0 in seen and len(seen) == 30:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 2)
    elapsed = time.monotonic() - began

    assert sorted(seen) == list(range(30))
    assert await pending_count(redis) == 0
    # One pass at the start, then at most one per 100 ms (a quarter of 400 ms).
    assert Counting.passes <= 1 + elapsed / 0.1


async def test_a_stopping_consumer_acks_what_it_handled_and_leaves_the_rest_to_another(redis):
    stop = asyncio.Event()
    seen: list[tuple[str, int]] = []

    async def leaving_handles(event: Event) -> None:
        seen.append(("leaving", event.payload["n"]))
        stop.set()  # the process is told to stop while it handles the first entry

    async def staying_handles(event: Event) -> None:
        seen.append(("staying", event.payload["n"]))

    # Ten minutes: without the release, the entries the leaving one holds would wait that long.
    patience = 600_000
    leaving = consumer(
        redis, {"things.happened": leaving_handles}, consumer="leaving", retry_after_ms=patience
    )
    await leaving.ensure_groups()
    for n in range(3):
        await append(redis, n)

    assert await leaving.read_new(stop) == 1
    assert seen == [("leaving", 0)]
    assert await pending_count(redis) == 2  # read, not handled: pending, not acknowledged

    staying = consumer(
        redis, {"things.happened": staying_handles}, consumer="staying", retry_after_ms=patience
    )
    assert await staying.reclaim() == 2  # claimed at once
    assert seen == [("leaving", 0), ("staying", 1), ("staying", 2)]
    assert await pending_count(redis) == 0
