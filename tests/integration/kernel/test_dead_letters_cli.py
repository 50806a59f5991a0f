"""tools.dead_letters against a real Redis and a real StreamConsumer: list, show, replay once."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.events import Event, MalformedEvent
from subgraphs.kernel.messaging.consumer import StreamConsumer
from tests.conftest import redis_db
from tools.dead_letters import DeadLetters, main

pytestmark = pytest.mark.integration


@pytest.fixture
def names() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:6]
    return f"events.dl{tag}", f"dl-readers-{tag}"


async def test_a_dead_letter_is_listed_shown_and_replayed_exactly_once(
    redis, redis_url, names, capsys
):
    stream, group = names
    url = redis_db(redis_url, "kernel")
    handled: list[str] = []
    broken = True

    async def handle(event: Event) -> None:
        if broken:
            raise MalformedEvent("sku missing")
        handled.append(event.id)

    consumer = StreamConsumer(
        redis, group=group, streams=[stream], handlers={"things.made": handle}, block_ms=50
    )
    await consumer.ensure_groups()
    event = Event.create("things.made", {"n": 1}, producer="things", occurred_at=datetime.now(UTC))
    await redis.xadd(stream, event.to_fields())
    assert await consumer.read_new() == 1
    assert handled == []
    [(dead_id, _)] = await redis.xrange(f"dead.{group}")

    letters = DeadLetters.from_url(url)
    [summary] = [g for g in letters.groups() if g.group == group]
    assert (summary.waiting, summary.ever, summary.replayed) == (1, 1, 0)

    assert main(["--redis-url", url, "list"]) == 0
    assert f"{group}" in capsys.readouterr().out
    assert main(["--redis-url", url, "show", group]) == 0
    listing = capsys.readouterr().out
    assert dead_id in listing
    assert "things.made" in listing
    assert "sku missing" in listing
    assert main(["--redis-url", url, "show", group, dead_id]) == 0
    detail = capsys.readouterr().out
    assert f"stream: {stream}" in detail
    assert f"id: {event.id}" in detail

    broken = False  # the operator fixed the cause
    assert main(["--redis-url", url, "replay", group, dead_id]) == 0
    assert "replayed as" in capsys.readouterr().out
    assert await consumer.read_new() == 1
    assert handled == [event.id]  # the same event, handled now

    # Again (a second operator, a retried command): nothing is appended or handled twice.
    length = await redis.xlen(stream)
    assert main(["--redis-url", url, "replay", group, dead_id]) == 0
    assert "replayed before" in capsys.readouterr().out
    assert main(["--redis-url", url, "replay", group, "--all"]) == 0
    assert await redis.xlen(stream) == length
    assert await consumer.read_new() == 0
    assert handled == [event.id]
    [summary] = [g for g in letters.groups() if g.group == group]
    assert (summary.waiting, summary.ever, summary.replayed) == (0, 1, 1)
    letters.client.close()


async def test_replay_all_moves_every_dead_letter_back(redis, redis_url, names):
    stream, group = names
    url = redis_db(redis_url, "kernel")

    async def refuse(event: Event) -> None:
        raise MalformedEvent("no")

    consumer = StreamConsumer(
        redis, group=group, streams=[stream], handlers={"things.made": refuse}, block_ms=50
    )
    await consumer.ensure_groups()
    for n in range(3):
        e = Event.create("things.made", {"n": n}, producer="things", occurred_at=datetime.now(UTC))
        await redis.xadd(stream, e.to_fields())
    await consumer.read_new()
    assert await redis.xlen(f"dead.{group}") == 3

    letters = DeadLetters.from_url(url)
    results = letters.replay_all(group)
    assert [r.outcome for r in results] == ["replayed"] * 3
    assert await redis.xlen(f"dead.{group}") == 0
    assert await redis.xlen(stream) == 6
    letters.client.close()


def test_the_command_line_reports_an_unknown_entry_and_an_unreachable_redis(redis_url):
    url = redis_db(redis_url, "kernel")
    run = [sys.executable, "-m", "tools.dead_letters", "--redis-url"]
    missing = subprocess.run([*run, url, "show", "nobody", "1-1"], capture_output=True, text=True)
    assert missing.returncode == 1
    assert "no dead letter 1-1 in dead.nobody" in missing.stderr
    down = subprocess.run(
        [*run, "redis://127.0.0.1:1/0", "list"], capture_output=True, text=True, timeout=60
    )
    assert down.returncode == 1
    assert "cannot reach Redis" in down.stderr
