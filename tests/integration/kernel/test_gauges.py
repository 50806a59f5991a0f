"""Operations gauges read from the real stores: consumer pending and lag, dead letters, outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.messaging.consumer import StreamConsumer
from subgraphs.kernel.messaging.outbox import Outbox, OutboxRelay
from subgraphs.kernel.observability import gauges
from subgraphs.kernel.stores.mongo import in_transaction
from testkit.prometheus import parse_metrics
from testkit.waiting import eventually

pytestmark = pytest.mark.integration


def values(samples: list[gauges.Sample]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for s in samples}


async def test_pending_lag_and_dead_letters_of_a_consumer_group(redis):
    stream, group = f"events.g{uuid.uuid4().hex[:6]}", "counters"

    async def fail(event: Event) -> None:
        raise RuntimeError("handler bug")

    consumer = StreamConsumer(
        redis,
        group=group,
        streams=[stream],
        handlers={"things.happened": fail},
        block_ms=50,
        batch_size=2,
    )
    collector = gauges.ConsumerGauges(redis, group, [stream], "dead.counts")
    labels = (("group", group), ("stream", stream))
    # Before the group exists: nothing pending, nothing behind, nothing dead.
    assert values(list(await collector.collect())) == {
        ("events_consumer_pending", labels): 0,
        ("events_consumer_lag", labels): 0,
        ("events_dead_letters_total", (("group", group),)): 0,
    }

    await consumer.ensure_groups()
    for n in range(5):
        event = Event.create(
            "things.happened", {"n": n}, producer="g", occurred_at=datetime.now(UTC)
        )
        await redis.xadd(stream, event.to_fields())
    await redis.xadd(stream, {"not": "an envelope"})
    assert values(list(await collector.collect()))[("events_consumer_lag", labels)] == 6

    # Failed entries with deliveries left stay pending, to be retried.
    assert await consumer.read_new() == 2
    got = values(list(await collector.collect()))
    assert got[("events_consumer_pending", labels)] == 2
    assert got[("events_consumer_lag", labels)] == 4
    # The rest: three more failures stay pending, the malformed entry goes to dead letters.
    while await consumer.read_new():
        pass
    got = values(list(await collector.collect()))
    assert got[("events_consumer_pending", labels)] == 5
    assert got[("events_consumer_lag", labels)] == 0
    assert got[("events_dead_letters_total", (("group", group),))] == 1

    # Served at /metrics through the registry, with HELP and TYPE lines.
    gauges.register(collector)
    text = await gauges.render()
    gauges.unregister(collector)
    assert "# TYPE events_consumer_pending gauge" in text
    assert "# TYPE events_dead_letters_total counter" in text
    metrics = parse_metrics(text)
    assert metrics[f'events_consumer_pending{{group="{group}",stream="{stream}"}}'] == 5
    assert metrics[f'events_dead_letters_total{{group="{group}"}}'] == 1


async def test_outbox_backlog_and_the_age_of_its_oldest_event(scratch_db, redis):
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    relay = OutboxRelay(scratch_db, redis, "things", clock=lambda: now)
    collector = gauges.OutboxGauges(scratch_db["outbox"], "things", lambda: now)
    labels = (("producer", "things"),)
    assert values(await collector.collect()) == {
        ("outbox_pending", labels): 0,
        ("outbox_oldest_pending_age_seconds", labels): 0,
    }

    outbox = Outbox(scratch_db)
    await outbox.ensure_indexes()
    events = [
        Event.create("things.happened", {"n": n}, producer="things", occurred_at=at)
        for n, at in enumerate([now - timedelta(seconds=90), now - timedelta(seconds=5)])
    ]

    async def work(session):
        await outbox.add(events, session)

    await in_transaction(scratch_db.client, work)
    assert values(await collector.collect()) == {
        ("outbox_pending", labels): 2,
        ("outbox_oldest_pending_age_seconds", labels): 90,
    }
    assert await relay.publish_pending() == 2
    assert values(await collector.collect())[("outbox_pending", labels)] == 0


async def test_a_consumer_and_a_relay_are_reported_while_they_run_only(scratch_db, redis):
    """Once stopped, their stores may be closed: a scrape that asked a closed Redis client
    would open a connection that nobody closes (garbage-collected later, in some other test)."""
    suffix = uuid.uuid4().hex[:6]
    group, stream, producer = f"g{suffix}", f"events.s{suffix}", f"p{suffix}"
    consumer = StreamConsumer(redis, group=group, streams=[stream], handlers={}, block_ms=50)
    relay = OutboxRelay(scratch_db, redis, producer, poll_seconds=0.05)
    running = [consumer.task("consumer"), relay.task()]

    def reported(text: str) -> bool:
        return f'group="{group}"' in text and f'producer="{producer}"' in text

    for task in running:
        await task.start()

    async def both_reported() -> bool | None:
        return reported(await gauges.render()) or None

    await eventually(both_reported, what="the consumer's and the relay's gauges")
    for task in running:
        await task.close()
    text = await gauges.render()
    assert f'group="{group}"' not in text
    assert f'producer="{producer}"' not in text


async def test_a_collector_whose_store_fails_costs_its_samples_not_the_page():
    class Broken:
        name = "broken"

        async def collect(self) -> list[gauges.Sample]:
            raise ConnectionError("store gone")

    class Fine:
        name = "fine"

        async def collect(self) -> list[gauges.Sample]:
            return [gauges.Sample("fine_things", "gauge", "Things.", {"kind": "a"}, 3)]

    broken, fine = gauges.register(Broken()), gauges.register(Fine())
    metrics = parse_metrics(await gauges.render())
    assert metrics['fine_things{kind="a"}'] == 3
    del broken, fine
