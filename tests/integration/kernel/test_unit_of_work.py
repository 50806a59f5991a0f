"""The MongoDB unit of work: the change, its events and the claim commit together or not at all."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from pymongo.errors import OperationFailure

from subgraphs.kernel.core.events import DomainEvent
from subgraphs.kernel.core.unit_of_work import Decided
from subgraphs.kernel.stores.mongo import MongoUnitOfWork, session

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, 12, 0, 0, 123000, tzinfo=UTC)


@dataclass(frozen=True)
class Thing:
    id: str
    events: tuple[DomainEvent, ...] = field(default=())


def a_thing(thing_id: str, *types: str) -> Thing:
    return Thing(
        thing_id, tuple(DomainEvent(t, {"id": thing_id}, NOW, n) for n, t in enumerate(types))
    )


class Woken:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
async def uow_and_wakes(scratch_db):
    woken = Woken()
    uow = MongoUnitOfWork(scratch_db, "things", after_commit=woken)
    await uow.ensure_indexes()
    return uow, woken


def insert(db, thing: Thing):
    async def work() -> None:
        await db["things"].insert_one({"_id": thing.id}, session=session())

    return work


async def test_the_change_and_its_events_commit_together_then_the_relay_is_woken(
    scratch_db, uow_and_wakes
):
    uow, woken = uow_and_wakes
    thing = a_thing("t1", "things.made", "things.named")

    assert await uow(insert(scratch_db, thing), recorded=thing)

    assert await scratch_db["things"].count_documents({}) == 1
    outbox = await scratch_db["outbox"].find().sort("sequence").to_list()
    assert [(d["type"], d["producer"], d["sequence"]) for d in outbox] == [
        ("things.made", "things", 0),
        ("things.named", "things", 1),
    ]
    assert outbox[0]["occurred_at"] == NOW
    assert woken.count == 1


async def test_a_failing_work_leaves_nothing_behind(scratch_db, uow_and_wakes):
    uow, woken = uow_and_wakes
    thing = a_thing("t1", "things.made")

    async def fails() -> None:
        await insert(scratch_db, thing)()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await uow(fails, recorded=thing, claim="event-1")

    assert await scratch_db["things"].count_documents({}) == 0
    assert await scratch_db["outbox"].count_documents({}) == 0
    assert not await uow.applied("event-1")
    assert woken.count == 0


async def test_a_work_that_wrote_nothing_drops_the_events_and_the_claim(scratch_db, uow_and_wakes):
    uow, woken = uow_and_wakes
    thing = a_thing("t1", "things.made")

    async def nothing_to_write() -> bool:
        return False

    assert not await uow(nothing_to_write, recorded=thing, claim="event-1")
    assert await scratch_db["outbox"].count_documents({}) == 0
    assert not await uow.applied("event-1")
    assert woken.count == 0


async def test_an_event_is_applied_once(scratch_db, uow_and_wakes):
    uow, _ = uow_and_wakes

    assert await uow(insert(scratch_db, a_thing("t1")), claim="event-1")
    assert await uow.applied("event-1")
    assert not await uow(insert(scratch_db, a_thing("t2")), claim="event-1")

    assert [d["_id"] async for d in scratch_db["things"].find()] == ["t1"]


async def test_a_single_write_without_events_runs_outside_a_transaction(scratch_db, uow_and_wakes):
    uow, woken = uow_and_wakes
    seen = []

    async def work() -> None:
        seen.append(session())
        await scratch_db["things"].insert_one({"_id": "t1"}, session=session())

    assert await uow(work, recorded=a_thing("t1"))
    assert seen == [None]
    assert await scratch_db["things"].count_documents({}) == 1
    assert woken.count == 0


async def test_a_duplicate_claim_skips_in_one_round_trip_and_leaves_nothing(
    scratch_db, uow_and_wakes
):
    uow, woken = uow_and_wakes
    made = a_thing("t1", "things.made")
    assert await uow(insert(scratch_db, made), recorded=made, claim="event-1")

    ran: list[str] = []

    async def work() -> None:
        ran.append("work")
        await scratch_db["things"].insert_one({"_id": "t2"}, session=session())

    assert not await uow(work, recorded=a_thing("t2", "things.made"), claim="event-1")
    assert ran == []  # refused at the claim, before the work
    assert [d["_id"] async for d in scratch_db["things"].find()] == ["t1"]
    assert await scratch_db["outbox"].count_documents({}) == 1
    assert woken.count == 1


async def test_concurrent_deliveries_of_one_event_apply_it_once(scratch_db, uow_and_wakes):
    uow, _ = uow_and_wakes
    things = [a_thing(f"t{n}", "things.made") for n in range(4)]
    results = await asyncio.gather(
        *(uow(insert(scratch_db, t), recorded=t, claim="event-1") for t in things),
        return_exceptions=True,
    )
    applied = [r for r in results if r is True]
    # One commits; each other one skips, or (a duplicate-key error racing the commit)
    # fails and is retried by the consumer, whose redelivery then skips.
    assert len(applied) == 1, results
    assert await scratch_db["things"].count_documents({}) == 1
    assert await scratch_db["outbox"].count_documents({}) == 1


async def test_events_decided_by_the_work_are_saved_with_it_in_one_transaction(
    scratch_db, uow_and_wakes
):
    uow, woken = uow_and_wakes
    decided = Decided()
    seen = []

    async def work() -> None:
        seen.append(session())
        await scratch_db["things"].insert_one({"_id": "t1"}, session=session())
        decided.events.extend(a_thing("t1", "things.made").events)

    assert await uow(work, recorded=decided)
    assert seen != [None]
    assert [d["type"] async for d in scratch_db["outbox"].find({})] == ["things.made"]
    assert woken.count == 1


async def test_a_retried_work_decides_its_events_afresh(scratch_db, uow_and_wakes):
    uow, _ = uow_and_wakes
    decided = Decided(list(a_thing("t0", "things.kept").events))
    tries = 0

    async def work() -> None:
        nonlocal tries
        tries += 1
        decided.events.extend(a_thing(f"t{tries}", "things.made").events)
        if tries == 1:  # e.g. a write conflict: the driver runs the transaction again
            error = OperationFailure("write conflict")
            error._add_error_label("TransientTransactionError")
            raise error

    assert await uow(work, recorded=decided)
    assert tries == 2
    assert sorted([d["type"] async for d in scratch_db["outbox"].find({})]) == [
        "things.kept",
        "things.made",
    ]
